/**
 * Shomare.online's wire format.
 *
 * What the seed doc (001) says: base `https://shomare.online/api/[ENDPOINT]`; the token goes in a
 * `token` request header on every call; every answer is JSON with a `status` flag and, when it is
 * not true, a `code` equal to the HTTP status (or -1 for a blocked account); the endpoints, their
 * methods and which parameters they take (country, operator, application; the purchase id).
 *
 * What the doc does NOT say: parameter names, and any response body. Everything marked ASSUMED
 * below is our reading (NOTES.md explains each); the adapter accepts every plausible variant of
 * the responses (see `mapping.ts`), the simulator answers with exactly the `Sim*` shapes here.
 */

/** Paths under `baseUrl` (`…/api/`), exactly as the doc's endpoint table names them. */
export const SHOMARE_ENDPOINTS = {
  profile: 'profile',
  allCountries: 'allcountries',
  allOperators: 'alloperators',
  allApplications: 'allapplications',
  priceByCountry: 'pricebycountry',
  priceByProduct: 'pricebyproduct',
  buy: 'buy',
  check: 'check',
  cancel: 'cancel',
} as const;
export type ShomareEndpoint = (typeof SHOMARE_ENDPOINTS)[keyof typeof SHOMARE_ENDPOINTS];

/** The one header the doc names (`curl … --header 'token: test'`). */
export const SHOMARE_TOKEN_HEADER = 'token';

/** The doc's methods: GET everywhere except `buy`, which is POST (405 otherwise). */
export const SHOMARE_METHODS: Readonly<Record<ShomareEndpoint, 'GET' | 'POST'>> = {
  profile: 'GET',
  allcountries: 'GET',
  alloperators: 'GET',
  allapplications: 'GET',
  pricebycountry: 'GET',
  pricebyproduct: 'GET',
  buy: 'POST',
  check: 'GET',
  cancel: 'GET',
};

/**
 * ASSUMED parameter names. The doc only says "the country and operator parameter", "country,
 * operator and application" (placeholders CountryID, OperatorID, AppID) and "the purchase ID".
 * GET endpoints take them in the query string; `buy` (POST) gets them both in a form body and in
 * the query string (harmless duplicates: a PHP/Laravel backend reads either).
 */
export const SHOMARE_PARAMS = {
  country: 'country',
  operator: 'operator',
  application: 'app',
  purchaseId: 'id',
} as const;

/**
 * How the ids travel. The doc says "replace CountryID and OperatorID (… and AppID) with the codes
 * from the lists" (seed lines 65 and 74) without showing a URL, which reads equally well as query
 * parameters (`pricebycountry?country=1&operator=11`) or as path segments
 * (`pricebycountry/1/11`). The adapter tries the query form first and, on the doc's "404 without
 * JSON = wrong endpoint", the path form, then keeps the one that answered.
 */
export type ShomareParamStyle = 'query' | 'path';

/** The order of the path segments per endpoint (the doc's CountryID, OperatorID, AppID; the
 *  purchase ID). Endpoints without parameters have none. */
export const SHOMARE_PATH_PARAMS: Readonly<Record<ShomareEndpoint, readonly string[]>> = {
  profile: [],
  allcountries: [],
  alloperators: [],
  allapplications: [],
  pricebycountry: [SHOMARE_PARAMS.country, SHOMARE_PARAMS.operator],
  pricebyproduct: [SHOMARE_PARAMS.country, SHOMARE_PARAMS.operator, SHOMARE_PARAMS.application],
  buy: [SHOMARE_PARAMS.country, SHOMARE_PARAMS.operator, SHOMARE_PARAMS.application],
  check: [SHOMARE_PARAMS.purchaseId],
  cancel: [SHOMARE_PARAMS.purchaseId],
};

/** A value the upstream may send as a JSON number or a string (ids, prices, counts). With
 *  lossless parsing every JSON number reaches the mappers as its exact decimal text. */
export type WireScalar = string | number;

/**
 * The documented envelope: `status` (true on success) and, on failure, `code` (= HTTP status,
 * -1 = blocked account). ASSUMED: a human `message` (Persian) and the result under `data`; the
 * adapter also accepts the result's fields at the top level beside `status`/`code`.
 */
export interface ShomareEnvelope<T = unknown> {
  status: boolean | string | number;
  code?: WireScalar;
  message?: string;
  data?: T;
}

/** `code` of a blocked account (the doc's 401 row). */
export const SHOMARE_BLOCKED_CODE = -1;

// ---- The simulator's shapes (one plausible reading each; ASSUMED, see NOTES.md) ----

/** `profile` → data. The doc: "user information, e.g. the remaining wallet charge". */
export interface SimProfile {
  id: number;
  name: string;
  email: string;
  /** Wallet balance in toman. */
  balance: number;
}

/** `allcountries` → data[]. The doc: "every country with full information". */
export interface SimCountry {
  id: number;
  name: string;
  name_en: string;
  /** ISO 3166-1 alpha-2. */
  iso: string;
  /** Dialling code without "+". */
  prefix: string;
}

/** `alloperators` → data[]. Operators belong to a country ("any" = whichever has numbers). */
export interface SimOperator {
  id: number;
  name: string;
  country_id: number;
}

/** `allapplications` → data[]. */
export interface SimApplication {
  id: number;
  name: string;
  code: string;
}

/** `pricebycountry?country&operator` → data[]: "the price and count of the services". */
export interface SimCountryPrice {
  app_id: number;
  app_name: string;
  price: number;
  count: number;
}

/** `pricebyproduct?country&operator&app` → data. */
export interface SimProductPrice {
  country_id: number;
  operator_id: number;
  app_id: number;
  price: number;
  count: number;
}

/** The simulator's purchase states in `check`/`buy` data. */
export type SimOrderStatus = 'waiting' | 'received' | 'canceled' | 'expired';

export interface SimSms {
  text: string;
  code: string | null;
  date: string;
}

/** `buy` → data. `code` is the order's reference (پیگیری), as Iranian panels name it — not an
 *  SMS code: a reader that takes a bare `code` for the SMS would charge for nothing. */
export interface SimPurchase {
  id: number;
  code: string;
  /** International digits without "+", e.g. "79001234567". */
  number: string;
  price: number;
  country_id: number;
  operator_id: number;
  app_id: number;
  status: SimOrderStatus;
}

/** `check?id` → data: the purchase and every SMS it received, oldest first (null: none yet). */
export interface SimCheck {
  id: number;
  /** The order reference, as in `buy` (never the SMS code: that is in `sms`). */
  code: string;
  number: string;
  status: SimOrderStatus;
  /** `null` until the first SMS. */
  sms: SimSms[] | null;
}

/** `cancel?id` → data. */
export interface SimCancel {
  id: number;
  status: 'canceled';
  /** Toman returned to the wallet. */
  refund: number;
}
