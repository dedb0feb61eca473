/**
 * SMS-Man "API v2.0" (`https://api.sms-man.com/control/`) as its doc shows it on the wire.
 * Every call is `GET` (or `POST`) `<baseUrl><endpoint>?token=<key>&...`, answers JSON.
 *
 * Numbers reach these schemas as their decimal source text (the shared lossless JSON parse) or
 * as plain numbers (the JSON5 fallback for the doc's single-quoted examples), so every numeric
 * field accepts both and the mappers convert from text, never from a float.
 */
import { z } from 'zod';

/** The endpoint names, relative to the `control/` base URL. */
export const SMSMAN_ENDPOINTS = {
  balance: 'get-balance',
  limits: 'limits',
  getNumber: 'get-number',
  getSms: 'get-sms',
  setStatus: 'set-status',
  prices: 'get-prices',
  countries: 'countries',
  applications: 'applications',
} as const;
export type SmsManEndpoint = (typeof SMSMAN_ENDPOINTS)[keyof typeof SMSMAN_ENDPOINTS];

/** `set-status` values, the doc's exact words ("ready / close / reject / used"). */
export const SMSMAN_SET_STATUS_VALUES = ['ready', 'close', 'reject', 'used'] as const;
export type SmsManSetStatus = (typeof SMSMAN_SET_STATUS_VALUES)[number];

/** What each of our operations sends as `status` (NOTES.md: the doc gives the words only). */
export const SMSMAN_STATUS_FOR = {
  /** Give the number back before a code: the upstream refunds. */
  cancel: 'reject',
  /** Done with the number after a code. */
  finish: 'close',
  /** "The number is already used at the service": a rejection BEFORE a code (the customer could
   *  not register with it). Not our `report` (a wrong code, after one): the doc has no word for
   *  that. The adapter does not send it — our cancel is `reject`, which ends the same way — but
   *  reads a request someone ended so as cancelled (NOTES.md). */
  numberUsed: 'used',
  /** "Number ready / SMS was sent": the doc's fourth value, not used by the adapter. */
  ready: 'ready',
} as const satisfies Record<string, SmsManSetStatus>;

/** `error_code` strings the doc itself lists. */
export const SMSMAN_DOC_ERROR_CODES = {
  wrongToken: 'wrong_token',
  waitSms: 'wait_sms',
  wrongStatus: 'wrong_status',
} as const;

/** Refusals the doc leaves unnamed. The simulator answers with these; the adapter's error table
 *  recognises them and their variants seen from the real service (NOTES.md). */
export const SMSMAN_EXTRA_ERROR_CODES = {
  noNumbers: 'no_numbers',
  notEnoughBalance: 'not_enough_balance',
  wrongRequestId: 'wrong_request_id',
  wrongCountryId: 'wrong_country_id',
  wrongApplicationId: 'wrong_application_id',
  /** set-status that the request's state does not allow (reject after a code, close before). */
  wrongRequestStatus: 'wrong_request_status',
  /** get-sms on a request given back with `reject` (or `used`). */
  requestRejected: 'request_rejected',
  /** get-sms on a request whose time ran out without an SMS. */
  requestExpired: 'request_expired',
  notFound: 'not_found',
} as const;

/** A JSON id or count: the doc shows both `1` and `"1"`. */
export const wireIntegerSchema = z.union([z.string(), z.number()]);
/** A decimal amount: the doc shows `"799.70"`; JSON numbers (`12.5`) are accepted too. */
export const wireDecimalSchema = z.union([z.string(), z.number()]);

/** `error_msg` is a string ("Wrong token!") or an object keyed by field ({"token": "..."}). */
export const wireErrorMessageSchema = z.union([
  z.string(),
  z.record(z.string(), z.unknown()),
  z.array(z.unknown()),
  z.null(),
]);

/** `{"success":false,"error_code":"wrong_token","error_msg":"Wrong token!"}` */
export const errorBodySchema = z.looseObject({
  success: z.union([z.boolean(), z.string(), z.number()]).optional(),
  error_code: z.union([z.string(), z.number()]),
  error_msg: wireErrorMessageSchema.optional(),
});
export type SmsManErrorBody = z.infer<typeof errorBodySchema>;

/** get-balance: `{"balance":"799.70"}` */
export const balanceResponseSchema = z.looseObject({ balance: wireDecimalSchema });
export type SmsManBalanceResponse = z.infer<typeof balanceResponseSchema>;

/** limits: `[{"application_id":"1","country_id":"1","numbers":"32302"}, ...]` */
export const limitEntrySchema = z.looseObject({
  application_id: wireIntegerSchema,
  country_id: wireIntegerSchema,
  numbers: wireIntegerSchema,
});
export type SmsManLimitEntry = z.infer<typeof limitEntrySchema>;

/** get-number: `{"request_id":1,"country_id":1,"application_id":1,"number":"79002415539"}` */
export const getNumberResponseSchema = z.looseObject({
  request_id: wireIntegerSchema,
  country_id: wireIntegerSchema.optional(),
  application_id: wireIntegerSchema.optional(),
  number: wireIntegerSchema,
});
export type SmsManGetNumberResponse = z.infer<typeof getNumberResponseSchema>;

/** get-sms: the request echoed back with `sms_code`, or with `error_code: "wait_sms"`. */
export const getSmsResponseSchema = z.looseObject({
  request_id: wireIntegerSchema.optional(),
  country_id: wireIntegerSchema.optional(),
  application_id: wireIntegerSchema.optional(),
  number: wireIntegerSchema.optional(),
  sms_code: z.union([z.string(), z.number(), z.null()]).optional(),
  error_code: z.union([z.string(), z.number()]).optional(),
  error_msg: wireErrorMessageSchema.optional(),
});
export type SmsManGetSmsResponse = z.infer<typeof getSmsResponseSchema>;

/** set-status: `{"request_id": 1, "success": true}` */
export const setStatusResponseSchema = z.looseObject({
  request_id: wireIntegerSchema.optional(),
  success: z.union([z.boolean(), z.string(), z.number()]),
});
export type SmsManSetStatusResponse = z.infer<typeof setStatusResponseSchema>;

/** One product in get-prices: `{"cost":"15","count":6455}` */
export const priceEntrySchema = z.looseObject({
  cost: wireDecimalSchema,
  count: wireIntegerSchema,
});
export type SmsManPriceEntry = z.infer<typeof priceEntrySchema>;

/** A map keyed by id, or (what PHP's json_encode makes of keys 0..n-1) a plain array. */
function idKeyed<T extends z.ZodType>(value: T) {
  return z.union([z.record(z.string(), value), z.array(value)]);
}

/** get-prices: `{"<country_id>": {"<application_id>": {"cost":"15","count":6455}}}` */
export const pricesResponseSchema = idKeyed(idKeyed(z.union([priceEntrySchema, z.null()])));
export type SmsManPricesResponse = z.infer<typeof pricesResponseSchema>;

/** countries: `[{'id':0,'title':"Russia"}, ...]` (a `code` field is kept when present). */
export const countrySchema = z.looseObject({
  /** Absent in the keyed form, where the key is the id. */
  id: wireIntegerSchema.optional(),
  title: z.string().optional(),
  name: z.string().optional(),
  code: z.string().optional(),
});
export type SmsManCountry = z.infer<typeof countrySchema>;
export const countriesResponseSchema = idKeyed(countrySchema);

/** applications: `[{'id':'1','name':"Vkontakte", "code":"vk"}, ...]` (the site's template
 *  calls the name `title`, so both are read). */
export const applicationSchema = z.looseObject({
  id: wireIntegerSchema.optional(),
  name: z.string().optional(),
  title: z.string().optional(),
  code: z.string().optional(),
});
export type SmsManApplication = z.infer<typeof applicationSchema>;
export const applicationsResponseSchema = idKeyed(applicationSchema);
