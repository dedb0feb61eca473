/**
 * 5sim's API v1 on the wire (../../../../../shared/protocols/5sim.md): paths, the JSON shapes
 * the sources show, and the plain-text refusals. Schemas are loose on purpose (`passthrough`,
 * optional fields): live answers carry undocumented fields and omit some documented ones.
 */
import { z } from 'zod';

/** Paths relative to `baseUrl` (`https://5sim.net/v1/`). */
export const FIVESIM_PATHS = {
  profile: 'user/profile',
  orders: 'user/orders',
  buy: (country: string, operator: string, product: string) =>
    `user/buy/activation/${enc(country)}/${enc(operator)}/${enc(product)}`,
  check: (id: string) => `user/check/${enc(id)}`,
  finish: (id: string) => `user/finish/${enc(id)}`,
  cancel: (id: string) => `user/cancel/${enc(id)}`,
  ban: (id: string) => `user/ban/${enc(id)}`,
  prices: 'guest/prices',
  countries: 'guest/countries',
  products: (country: string, operator: string) =>
    `guest/products/${enc(country)}/${enc(operator)}`,
} as const;

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** The operator name that lets 5sim choose; the only one `maxPrice` works with. */
export const ANY_OPERATOR = 'any';

export const FIVESIM_STATUSES = [
  'PENDING',
  'RECEIVED',
  'CANCELED',
  'TIMEOUT',
  'FINISHED',
  'BANNED',
] as const;
export type FiveSimStatus = (typeof FIVESIM_STATUSES)[number];

/** Plain-text refusals, trimmed and lower-cased, as the docs and clients list them. */
export const FIVESIM_ERROR_TEXTS = {
  noFreePhones: 'no free phones',
  notEnoughBalance: 'not enough user balance',
  notEnoughRating: 'not enough rating',
  badCountry: 'bad country',
  selectCountry: 'select country',
  countryIncorrect: 'country is incorrect',
  badOperator: 'bad operator',
  selectOperator: 'select operator',
  noProduct: 'no product',
  productIncorrect: 'product is incorrect',
  serverOffline: 'server offline',
  internalError: 'internal error',
  orderNotFound: 'order not found',
  orderExpired: 'order expired',
  orderHasSms: 'order has sms',
  orderNoSms: 'order no sms',
  hostingOrder: 'hosting order',
  waitTime: 'you need to wait time',
  recordNotFound: 'record not found',
  apiLimit: 'api limit is 100 requests per second',
  ipLimit: 'ip address limit is 100 requests per second',
} as const;

/** Amounts: a JSON number (read losslessly as its text) or a numeric string. */
const amount = z.union([z.string(), z.number()]);
const id = z.union([z.string(), z.number()]);

export const smsSchema = z
  .object({
    id: id.optional(),
    created_at: z.string().nullish(),
    date: z.string().nullish(),
    sender: z.string().nullish(),
    text: z.string().nullish(),
    code: z.string().nullish(),
  })
  .passthrough();
export type FiveSimSms = z.infer<typeof smsSchema>;

export const orderSchema = z
  .object({
    id,
    phone: z.string().nullish(),
    operator: z.string().nullish(),
    product: z.string().nullish(),
    price: amount.nullish(),
    status: z.string(),
    expires: z.string().nullish(),
    sms: z.array(smsSchema).nullish(),
    created_at: z.string().nullish(),
    forwarding: z.union([z.boolean(), z.string()]).nullish(),
    forwarding_number: z.string().nullish(),
    country: z.string().nullish(),
  })
  .passthrough();
export type FiveSimOrder = z.infer<typeof orderSchema>;

export const ordersResponseSchema = z
  .object({
    Data: z.array(orderSchema).nullish(),
    ProductNames: z.unknown().optional(),
    Statuses: z.unknown().optional(),
    Total: z.unknown().optional(),
  })
  .passthrough();

export const profileSchema = z
  .object({
    id: id.optional(),
    email: z.string().nullish(),
    balance: amount,
    rating: amount.nullish(),
    frozen_balance: amount.nullish(),
  })
  .passthrough();

/** A price leaf: the price, the stock, and (not always) the delivery percentage. */
export const priceLeafSchema = z
  .object({ cost: amount, count: amount, rate: amount.nullish() })
  .passthrough();
export type FiveSimPriceLeaf = z.infer<typeof priceLeafSchema>;

/** `/guest/countries` entry: `iso` and `prefix` are sets written as `{ "ru": 1 }`, operators
 *  are extra keys holding `{ "activation": 1 }`. */
export const countryEntrySchema = z
  .object({
    iso: z.record(z.string(), z.unknown()).nullish(),
    prefix: z.record(z.string(), z.unknown()).nullish(),
    text_en: z.string().nullish(),
    text_ru: z.string().nullish(),
  })
  .passthrough();
export const countriesResponseSchema = z.record(z.string(), countryEntrySchema);
export type FiveSimCountries = z.infer<typeof countriesResponseSchema>;
