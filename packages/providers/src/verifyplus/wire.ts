/**
 * VerifyPlus's wire format, exactly as its API doc (seed 003) shows it.
 *
 * Two families of endpoints under the site root (`http://verifyplus.net/`):
 * - `api/get_number`, `api/get_sms`: POST, `Content-Type: application/json`, the token in the body;
 * - `apiv2/get_available?country=XX`: GET, no token in the doc.
 *
 * The doc quotes every id and count as a string (`"productId": "2"`, `"numberId": "1343243"`,
 * `"online": "12"`). Answers may plausibly carry them as JSON numbers too, so the response types
 * below accept both, and every reader goes through `wireText()`.
 */

/** The paths under `baseUrl` (the site root). */
export const VERIFYPLUS_PATHS = {
  getNumber: 'api/get_number',
  getSms: 'api/get_sms',
  getAvailable: 'apiv2/get_available',
} as const;

/** A value the upstream sends as a string in the doc but may send as a number. */
export type WireScalar = string | number;

/** POST api/get_number — `{"token": yourToken, "country": "RU", "productId": "2"}`. */
export interface GetNumberRequest {
  token: string;
  /** The upstream's country code from its table (`RU`, `UK`, ...): not always ISO (UK = GB). */
  country: string;
  productId: string;
}

/** 200 of get_number — `{"number": "959978292769", "numberId": "1343243"}` (no leading "+"). */
export interface GetNumberResponse {
  number: WireScalar;
  numberId: WireScalar;
}

/** POST api/get_sms — the same country and productId as the get_number that gave numberId. */
export interface GetSmsRequest {
  token: string;
  country: string;
  numberId: string;
  productId: string;
}

/** 200 of get_sms — `{"sms": "546533"}`: in the doc's example the value is the bare code. */
export interface GetSmsResponse {
  sms: WireScalar;
}

/** GET apiv2/get_available?country=RU — `{"online": "12"}`: numbers online in that country. */
export interface GetAvailableResponse {
  online: WireScalar;
}

/** Every documented error: `{"status": 400, "detail": "Invalid country"}`. */
export interface ErrorResponse {
  /** Absent in a bare FastAPI-style `{"detail": ...}`, which we accept too. */
  status?: WireScalar;
  detail: string;
}

/** The `detail` strings the doc lists, verbatim. */
export const VERIFYPLUS_DETAILS = {
  invalidCountry: 'Invalid country',
  invalidToken: 'Invalid token',
  invalidProductId: 'Invalid productId',
  noNumberAvailable: 'No number available! Please try again later',
  insufficientBalance: 'Insufficient balance. Please charge your account',
  noSmsCode: 'No sms code',
} as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A scalar's text, or null when it is neither a non-empty string nor a finite number. */
export function wireText(value: unknown): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed.length > 0 ? trimmed : null;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return null;
}

/** `{status, detail}` — the error envelope. `status` may be a number or a numeric string. */
export function isErrorResponse(value: unknown): value is ErrorResponse {
  return (
    isRecord(value) &&
    typeof value.detail === 'string' &&
    (value.status === undefined || wireText(value.status) !== null)
  );
}

export function isGetNumberResponse(value: unknown): value is GetNumberResponse {
  return isRecord(value) && wireText(value.number) !== null && wireText(value.numberId) !== null;
}

export function isGetSmsResponse(value: unknown): value is GetSmsResponse {
  return isRecord(value) && wireText(value.sms) !== null;
}

export function isGetAvailableResponse(value: unknown): value is GetAvailableResponse {
  return isRecord(value) && wireText(value.online) !== null;
}
