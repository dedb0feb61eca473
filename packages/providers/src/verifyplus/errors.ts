/**
 * VerifyPlus's `{status, detail}` answers → our error taxonomy, as one table.
 *
 * The doc's details are English ("Invalid token", "No sms code", ...), but the site is Persian and
 * a Persian wording of the same refusal is plausible, so details are normalised (case, spacing,
 * punctuation, Arabic vs Persian letters, Persian digits) and matched by their key words, both
 * languages. When no rule matches, the status code decides (body `status` first, the HTTP status
 * otherwise — the doc shows the body only, not the HTTP status line).
 */
import {
  AuthError,
  InsufficientUpstreamBalance,
  InvalidRequest,
  NoNumbers,
  NotFound,
  Unavailable,
  type ProviderError,
  type ProviderErrorContext,
} from '../errors.js';

/** The three upstream calls. */
export type VerifyPlusCall = 'get_number' | 'get_sms' | 'get_available';

/** What an answer means. `waiting` and `expired` are states, not errors: get_sms's 409
 *  "No sms code" means not arrived yet; `expired` (not in the doc) that the rental ran out. */
export type VerifyPlusOutcome =
  | 'waiting'
  | 'expired'
  | 'auth'
  | 'no-numbers'
  | 'insufficient-balance'
  | 'invalid-request'
  | 'not-found'
  | 'unavailable';

interface DetailRule {
  outcome: VerifyPlusOutcome;
  /** Tested against the normalised detail. */
  pattern: RegExp;
  /** Only for these calls (all when absent). */
  calls?: readonly VerifyPlusCall[];
  /** The doc's own wording, for the reader. */
  doc?: string;
}

/** First match wins: more specific rules first. */
export const VERIFYPLUS_DETAIL_RULES: readonly DetailRule[] = [
  {
    outcome: 'auth',
    doc: 'Invalid token (401)',
    pattern:
      /\binvalid (api )?(token|key)\b|\b(token|key) (is )?(invalid|wrong|expired)\b|\bunauthori[sz]ed\b|توکن .*(نامعتبر|اشتباه|منقضی)|(نامعتبر|اشتباه).* توکن/,
  },
  {
    outcome: 'waiting',
    doc: 'No sms code (409, get_sms)',
    calls: ['get_sms'],
    pattern:
      /\bno sms\b|\bsms (code )?(not|has not|hasn't) (been )?(received|arrived|sent)\b|\bnot (received|arrived) yet\b|\bwait(ing)?\b|(پیامک|اس ام اس|کد) .*(نیامده|نرسیده|دریافت نشده|ارسال نشده)|منتظر/,
  },
  {
    outcome: 'no-numbers',
    doc: 'No number available! Please try again later (409, get_number)',
    pattern:
      /\bno numbers? (is |are )?available\b|\bout of stock\b|\bno (free )?numbers?\b|شماره .*(موجود نیست|وجود ندارد|یافت نشد|تمام شده)|موجودی شماره/,
    calls: ['get_number', 'get_available'],
  },
  {
    outcome: 'insufficient-balance',
    doc: 'Insufficient balance. Please charge your account (402, get_sms)',
    pattern:
      /\binsufficient (balance|credit|funds)\b|\bcharge your account\b|\bnot enough (balance|credit)\b|(اعتبار|موجودی) .*(کافی نیست|ناکافی|کم است)|(عدم )?کفایت (اعتبار|موجودی)|شارژ کنید/,
  },
  {
    outcome: 'expired',
    // Not in the doc: get_sms after the rental ran out (see NOTES.md).
    pattern: /\bexpired\b|منقضی|پایان (مهلت|زمان)/,
    calls: ['get_sms'],
  },
  {
    outcome: 'not-found',
    // Not in the doc: get_sms of a numberId the upstream does not know (see NOTES.md).
    pattern:
      /\binvalid (number ?id|number)\b|\bnumber ?id\b.*\b(not found|unknown|invalid)\b|\bnumber not found\b|شناسه .*(نامعتبر|یافت نشد)/,
    calls: ['get_sms'],
  },
  {
    outcome: 'invalid-request',
    doc: 'Invalid country / Invalid productId (400)',
    pattern:
      /\binvalid (country|product ?id|product)\b|\b(country|product) (is )?(invalid|wrong|unknown|not found)\b|(کشور|محصول|کد کشور|کد محصول) .*(نامعتبر|اشتباه)/,
  },
];

/** Lower-case, one space, ASCII digits, Persian letters for their Arabic twins, no ZWNJ/punctuation. */
export function normalizeDetail(detail: string): string {
  return detail
    .normalize('NFKC')
    .replace(/[\u06F0-\u06F9]/g, (digit) => String(digit.charCodeAt(0) - 0x06f0))
    .replace(/[\u0660-\u0669]/g, (digit) => String(digit.charCodeAt(0) - 0x0660))
    .replace(/ي/g, 'ی')
    .replace(/ى/g, 'ی')
    .replace(/ك/g, 'ک')
    .replace(/\u200c|\u200d|\u200e|\u200f/g, ' ')
    .replace(/[!.،,؛;:؟?"'«»()[\]]/g, ' ')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** The outcome of a non-success answer of `call`, from its `detail` and status code. */
export function classifyVerifyPlusError(
  call: VerifyPlusCall,
  status: number | undefined,
  detail: string | undefined,
): VerifyPlusOutcome {
  if (detail !== undefined) {
    const normalized = normalizeDetail(detail);
    const rule = VERIFYPLUS_DETAIL_RULES.find(
      (candidate) =>
        (candidate.calls === undefined || candidate.calls.includes(call)) &&
        candidate.pattern.test(normalized),
    );
    if (rule) return rule.outcome;
  }
  return outcomeFromStatus(call, status);
}

function outcomeFromStatus(call: VerifyPlusCall, status: number | undefined): VerifyPlusOutcome {
  if (status === undefined) return 'unavailable';
  if (status === 401 || status === 403) return 'auth';
  if (status === 402) return 'insufficient-balance';
  // 409 is "not now": no number to give at get_number, no SMS yet at get_sms.
  if (status === 409) return call === 'get_sms' ? 'waiting' : 'no-numbers';
  if (status === 404) return call === 'get_sms' ? 'not-found' : 'invalid-request';
  if (status === 410 && call === 'get_sms') return 'expired';
  if (status === 400 || status === 422) return 'invalid-request';
  return 'unavailable';
}

/** The typed error for an outcome (`waiting`/`expired` are states the caller handles). */
export function verifyPlusError(
  outcome: Exclude<VerifyPlusOutcome, 'waiting' | 'expired'>,
  context: ProviderErrorContext,
): ProviderError {
  const said = context.upstreamMessage ? `: ${context.upstreamMessage}` : '';
  switch (outcome) {
    case 'auth':
      return new AuthError(`VerifyPlus refused the token${said}`, context);
    case 'no-numbers':
      return new NoNumbers(`VerifyPlus has no number available${said}`, context);
    case 'insufficient-balance':
      return new InsufficientUpstreamBalance(
        `VerifyPlus account balance is too low to read the SMS${said}`,
        context,
      );
    case 'invalid-request':
      return new InvalidRequest(`VerifyPlus refused the request${said}`, context);
    case 'not-found':
      return new NotFound(`VerifyPlus does not know this number${said}`, context);
    case 'unavailable':
      // An answer came back, so the request reached the upstream.
      return new Unavailable(`VerifyPlus answered unexpectedly${said}`, {
        ...context,
        surelyNotSent: false,
      });
  }
}
