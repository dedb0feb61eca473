/**
 * ShizNumber's request/response shapes, as its REST doc (seed 000) shows them.
 *
 * The schemas are deliberately lenient where the doc is: numbers may arrive as JSON numbers or as
 * decimal strings (the shared HTTP client parses JSON losslessly, so every number is a string by
 * the time it gets here), nullable fields may be absent, and unknown fields pass through. What the
 * adapter cannot work without (ids, prices, the ordered number) is required.
 */
import { z } from 'zod';

/** The doc's production root; every path below is relative to it. */
export const SHIZ_PRODUCTION_BASE_URL = 'https://api.shiznumber.com/api/';

/** Request headers the doc asks for on every call. */
export const SHIZ_API_KEY_HEADER = 'X-API-KEY';

export const SHIZ_PATHS = {
  user: 'user',
  numbers: 'numbers',
  number: (numberId: string) => `numbers/${encodeURIComponent(numberId)}`,
  orders: 'orders',
  order: (orderId: string) => `orders/${encodeURIComponent(orderId)}`,
  cancelOrder: (orderId: string) => `orders/${encodeURIComponent(orderId)}/cancel`,
  reportOrder: (orderId: string) => `orders/${encodeURIComponent(orderId)}/report`,
  services: 'services',
  service: (slug: string) => `services/${encodeURIComponent(slug)}`,
  serviceNumbers: (slug: string) => `services/${encodeURIComponent(slug)}/numbers`,
  countries: 'countries',
  country: (slug: string) => `countries/${encodeURIComponent(slug)}`,
  countryNumbers: (slug: string) => `countries/${encodeURIComponent(slug)}/numbers`,
} as const;

/** An integer id or amount: a JSON number, or (lossless parsing) its decimal text. */
const wireInteger = z.union([z.number(), z.string().regex(/^\s*-?\d+(?:\.0+)?\s*$/)]);
/** A price: integer toman in the doc, but a decimal string or number is tolerated. */
const wireAmount = z.union([z.number(), z.string().regex(/^\s*\d+(?:\.\d+)?\s*$/)]);

export const shizCountrySchema = z.looseObject({
  name: z.string().nullish(),
  fa_name: z.string().nullish(),
  slug: z.string().nullish(),
  iso_code: z.string(),
  /** "+90" in the doc; a bare "90" or a number is accepted too. */
  dialing_code: z.union([z.string(), z.number()]).nullish(),
  flag: z.string().nullish(),
});
export type ShizCountry = z.infer<typeof shizCountrySchema>;

export const shizServiceSchema = z.looseObject({
  name: z.string().nullish(),
  slug: z.string(),
  fa_name: z.string().nullish(),
  img: z.string().nullish(),
});
export type ShizService = z.infer<typeof shizServiceSchema>;

/** One product ("number" in ShizNumber's words): a service in a country, maybe one operator. */
export const shizNumberSchema = z.looseObject({
  id: wireInteger,
  /** Stock. */
  count: wireInteger.nullish(),
  /** Integer toman (IRT). */
  price: wireAmount,
  operator: z.string().nullish(),
  country: shizCountrySchema,
  service: shizServiceSchema,
});
export type ShizNumber = z.infer<typeof shizNumberSchema>;

export const shizOrderStatusSchema = z.looseObject({
  /** Only "waiting" appears in the doc; see NOTES.md for the names we also accept. */
  name: z.string(),
  fa_name: z.string().nullish(),
});
export type ShizOrderStatus = z.infer<typeof shizOrderStatusSchema>;

export const shizOrderSchema = z.looseObject({
  id: wireInteger,
  /** National number WITHOUT the country code ("923255262" for +84 923 255 262). */
  ordered_number: z.union([z.string(), z.number()]),
  /** What the order cost (integer toman). */
  amount: wireAmount.nullish(),
  /** The code: a JSON number (leading zeros lost!), a string, or null before the SMS. */
  sms_code: z.union([z.number(), z.string()]).nullish(),
  /** The SMS text. */
  sms_code_str: z.string().nullish(),
  /** ShizNumber's own order reference ("SO-XDHJZSO"); not used to address the order. */
  code: z.string().nullish(),
  number: shizNumberSchema,
  status: shizOrderStatusSchema,
  /** Jalali (Solar Hijri) wall-clock time in Tehran: "1402/06/28 00:27:21". */
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
});
export type ShizOrder = z.infer<typeof shizOrderSchema>;

/** POST numbers/{id}: `{ message, order }`. */
export const shizBuyResponseSchema = z.looseObject({
  message: z.string().nullish(),
  order: shizOrderSchema,
});
export type ShizBuyResponse = z.infer<typeof shizBuyResponseSchema>;

/** GET orders/{id}: the order itself; a `{ order }` or `{ data }` wrapper is accepted too. */
export const shizOrderDetailResponseSchema = z.union([
  shizOrderSchema,
  z.looseObject({ order: shizOrderSchema }).transform((wrapped) => wrapped.order),
  z.looseObject({ data: shizOrderSchema }).transform((wrapped) => wrapped.data),
]);

/** One element of GET orders: the doc shows the buy response shape (`{ message, order }`) per
 *  element; a bare order is accepted as well. */
export const shizOrderListItemSchema = z.union([
  z.looseObject({ order: shizOrderSchema }).transform((wrapped) => wrapped.order),
  shizOrderSchema,
]);

/** A Laravel-style page (`?page=N`), in case the list is paginated (the doc shows a bare array). */
export const shizPageSchema = z.looseObject({
  data: z.array(z.unknown()),
  current_page: wireInteger.nullish(),
  last_page: wireInteger.nullish(),
  next_page_url: z.string().nullish(),
  links: z.unknown().optional(),
  meta: z
    .looseObject({
      current_page: wireInteger.nullish(),
      last_page: wireInteger.nullish(),
    })
    .nullish(),
});
export type ShizPage = z.infer<typeof shizPageSchema>;

/** GET user: `{ user: { id, mobile, created_at, balance } }` (balance in toman). */
export const shizUserResponseSchema = z.union([
  z
    .looseObject({
      user: z.looseObject({
        id: wireInteger.nullish(),
        mobile: z.string().nullish(),
        /** Gregorian here ("2022-01-09 19:17:35"), unlike the orders' Jalali dates. */
        created_at: z.string().nullish(),
        balance: wireAmount,
      }),
    })
    .transform((body) => body.user),
  z.looseObject({ balance: wireAmount }),
]);

/** The doc gives errors as (HTTP status, Persian message); Laravel sends `{ "message": ... }`. */
export const shizErrorBodySchema = z.looseObject({
  message: z.string().nullish(),
  error: z.string().nullish(),
  errors: z.unknown().optional(),
});

/** PUT orders/{id}/cancel and /report answer `{ message }`. */
export const shizMessageResponseSchema = z.looseObject({ message: z.string().nullish() });
