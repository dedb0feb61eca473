/**
 * ArzanCell's wire format, as its doc (seed 002) shows it.
 *
 * One endpoint, `http://arzancell.com/api/handler.php`; "only GET requests are accepted"; every
 * request carries the key as `api` and an `action`. Answers are JSON arrays (even for a single
 * object) or plain upper-case text (`CANCELED` and every error).
 *
 * The doc's curl examples send the fields with `-F` (a multipart body) on a GET, which a PHP
 * backend would not read into `$_GET`: we send them in the query string (NOTES.md).
 */

/** The doc's actions. */
export const ARZANCELL_ACTIONS = {
  getBalance: 'get_balance',
  getStatus: 'get_status',
  getNumber: 'get_number',
  checkOrder: 'check_order',
  cancelOrder: 'cancel_order',
} as const;
export type ArzanCellAction = (typeof ARZANCELL_ACTIONS)[keyof typeof ARZANCELL_ACTIONS];

/** The doc's parameter names. */
export const ARZANCELL_PARAMS = {
  apiKey: 'api',
  action: 'action',
  server: 'server',
  country: 'country',
  service: 'service',
  orderId: 'order_id',
} as const;

/** `server` and `country` take this for "every server" / "every country". */
export const ARZANCELL_ANY = 'any';

/** A value the doc shows as a string in one place and a number in another. */
export type WireScalar = string | number;

/** `get_balance` → `[{"balance": 981000, "unit": "Toman"}]`. */
export interface BalanceRow {
  balance: WireScalar;
  unit?: string;
}

/**
 * `get_status` → one row per server × country × service. The example's keys have spaces
 * (`"service name"`, `"service code"`) while its output table writes `service_name`,
 * `service_code`: both are read. `stock` is a string in the example, `price` a number (toman).
 */
export interface StockRow {
  server: WireScalar;
  'service name'?: string;
  'service code'?: string;
  service_name?: string;
  service_code?: string;
  /** Lower-case country code ("ee"). */
  country: string;
  stock: WireScalar;
  price: WireScalar;
}

/** `get_number` → `[{"phone": "+989150681843", "order_id": "3762"}]`. */
export interface NumberRow {
  phone: string;
  order_id: WireScalar;
}

/** `check_order` → `[{"phone": "+989150681843", "code": "708303"}]`; `code` is empty until the
 *  SMS arrives. */
export interface CheckRow {
  phone: string;
  code: WireScalar;
}

/** `cancel_order`'s success answer (plain text). */
export const ARZANCELL_CANCELED = 'CANCELED';

/** Every error the doc's table lists (plain text), with its meaning. */
export const ARZANCELL_ERRORS = {
  'INVALID REQUEST': 'the request is not valid: check its parameters',
  'INVALID API': 'the API key is not valid',
  'NOT ENOUGH BALANCE': 'the account balance is too low',
  'INVALID COUNTRY': 'wrong country code',
  'INVALID SERVICE': 'wrong service',
  'INVALID SERVER': 'wrong server',
  'NO NUMBER': 'the numbers asked for are sold out for now',
  'INVALID ORDER ID': 'the order id is not valid',
  'UNCANCELLABLE ORDER': 'this order cannot be cancelled',
  'INVALID ACTION': 'the action is not valid',
  'TRY AGAIN': 'possibly a server-side error: try again',
  'EXPIRED SMS TIME': 'the time to receive the SMS is over and the money goes back to the account',
  'CAN NOT GET SMS': 'receiving the SMS is not possible right now: try again',
} as const;
export type ArzanCellErrorToken = keyof typeof ARZANCELL_ERRORS;
