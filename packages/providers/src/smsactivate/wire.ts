/**
 * SMS-Activate's `handler_api.php` as it travels: every call is
 * `GET <baseUrl>?api_key=KEY&action=<action>&...`, most answers are one text line
 * (`TOKEN` or `TOKEN:value[:value]`), a few are JSON. Numbers in JSON may be numbers or strings.
 */

export type SmsActivateAction =
  | 'getBalance'
  | 'getPrices'
  | 'getCountries'
  | 'getServicesList'
  | 'getNumber'
  | 'getNumberV2'
  | 'getStatus'
  | 'setStatus'
  | 'getActiveActivations'
  | 'getOperators';

/** `setStatus&status=` values. */
export const SET_STATUS = {
  /** The SMS was requested on the client's side: start waiting. */
  ready: 1,
  /** Ask for another SMS on the same number (free). */
  requestAnother: 3,
  /** Close the activation as done. */
  finish: 6,
  /** Cancel (refunds when no code came). */
  cancel: 8,
} as const;
export type SetStatusValue = (typeof SET_STATUS)[keyof typeof SET_STATUS];

/** Success tokens. */
export type AccessToken =
  | 'ACCESS_BALANCE'
  | 'ACCESS_NUMBER'
  | 'ACCESS_READY'
  | 'ACCESS_RETRY_GET'
  | 'ACCESS_ACTIVATION'
  | 'ACCESS_CANCEL'
  | 'ACCESS_CANCEL_ALREADY';

export type StatusToken =
  'STATUS_WAIT_CODE' | 'STATUS_WAIT_RETRY' | 'STATUS_WAIT_RESEND' | 'STATUS_OK' | 'STATUS_CANCEL';

/** Error tokens seen across compatible hosts (aliases included). */
export type ErrorToken =
  | 'NO_NUMBERS'
  | 'NO_NUMBER'
  | 'NO_BALANCE'
  | 'NO_MEANS'
  | 'BAD_KEY'
  | 'BAD_ACTION'
  | 'BAD_SERVICE'
  | 'BAD_STATUS'
  | 'BAD_DATA'
  | 'BAD_COUNTRY'
  | 'WRONG_SERVICE'
  | 'WRONG_COUNTRY'
  | 'WRONG_ACTIVATION_ID'
  | 'NO_ACTIVATION'
  | 'NO_ACTIVATIONS'
  | 'EARLY_CANCEL_DENIED'
  | 'WRONG_MAX_PRICE'
  | 'BANNED'
  | 'ACCOUNT_INACTIVE'
  | 'ERROR_SQL'
  | 'SQL_ERROR'
  | 'SERVER_ERROR';

/** A text answer split at its first colon: `STATUS_OK:12345` → token + "12345". */
export interface TokenAnswer {
  token: string;
  /** Everything after the first colon (may itself hold colons), or null. */
  value: string | null;
}

/** `getPrices`, the classic shape: country id → service code → price (mapping.ts reads the
 *  others). */
export type PricesResponse = Record<string, Record<string, PriceEntry>>;
export interface PriceEntry {
  cost: number | string;
  count: number | string;
  physicalCount?: number | string;
}

/** `getNumberV2`. */
export interface NumberV2Response {
  activationId: number | string;
  phoneNumber: string;
  activationCost: number | string;
  countryCode: number | string;
  canGetAnotherSms: boolean | string | number;
  activationTime: string;
  activationEndTime?: string;
  activationOperator?: string;
  /** HeroSMS: ISO 4217 numeric (840) ; others: absent. */
  currency?: number | string;
}

/** One row of `getActiveActivations`. */
export interface ActiveActivation {
  activationId: number | string;
  serviceCode?: string;
  phoneNumber: string;
  activationCost?: number | string;
  /** "4" waiting, "1" ready, "3" retry requested (varies by host; not relied on). */
  activationStatus?: number | string;
  /** null, a code, or a list of codes (newest last). */
  smsCode?: string | string[] | null;
  /** null, a text, a list of texts, or a JSON-encoded list of texts. */
  smsText?: string | string[] | null;
  activationTime?: string;
  countryCode?: number | string;
  canGetAnotherSms?: boolean | string | number;
  /** The client order id sent with getNumberV2, where a host echoes it (not documented). */
  orderId?: string | number;
}

/** SMS-Activate: rows under `activeActivations` (newer pages: `activeActivations.rows`);
 *  HeroSMS: rows under `data`. */
export type ActiveActivationsResponse =
  | { status: 'success'; activeActivations: ActiveActivation[] | { rows: ActiveActivation[] } }
  | { status: 'success'; data: ActiveActivation[] }
  | { status: 'error'; error: string };

/** `getCountries`: id → names (used to map ids the built-in table lacks). */
export type CountriesResponse = Record<
  string,
  { id: number | string; eng?: string; rus?: string; visible?: number }
>;

/** `getServicesList`. */
export interface ServicesListResponse {
  status: 'success' | 'error';
  services?: Array<{ code: string; name: string }>;
}

/** The JSON error envelopes some hosts use instead of text tokens (often with a real 4xx). */
export type JsonErrorEnvelope =
  { status: 'error'; error?: string; message?: string } | { title: string; details?: unknown };
