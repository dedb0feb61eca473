/**
 * Pure translation between SMS-Man's wire types and our domain: application ids/codes/names to
 * our service slugs, country titles/codes to ISO 3166-1 alpha-2, costs to Money (RUB by
 * default), numbers to E.164, request ids to activation refs. No I/O here.
 */
import {
  COUNTRIES,
  Money,
  findCountry,
  findService,
  normalizePhoneE164,
  parseDecimal,
  pow10,
  type CurrencyCode,
} from '@numbroker/core';
import type { ActivationStatus, Offer, Purchase } from '../adapter.js';
import { decimalText } from '../http/lossless-json.js';
import { upstreamMoney } from '../http/upstream-money.js';
import type {
  SmsManApplication,
  SmsManCountry,
  SmsManGetNumberResponse,
  SmsManGetSmsResponse,
  SmsManPriceEntry,
} from './wire.js';

// ---------------------------------------------------------------------------------------------
// Ids

/** A non-negative integer id or count as text ("1", 1, " 12 "), or null. */
export function integerText(value: unknown): string | null {
  const text = decimalText(value);
  if (text === null || !/^\d+$/.test(text)) return null;
  // "007" and "7" are the same id.
  return text.replace(/^0+(?=\d)/, '');
}

/** A count as a safe JS number (stock), or null. */
export function countOf(value: unknown): number | null {
  const text = integerText(value);
  if (text === null) return null;
  const count = Number(text);
  return Number.isSafeInteger(count) ? count : null;
}

/** The offer ref we hand out: the two ids get-number takes, "<country_id>:<application_id>". */
export function offerRef(countryId: string, applicationId: string): string {
  return `${countryId}:${applicationId}`;
}

export function parseOfferRef(ref: string): { countryId: string; applicationId: string } | null {
  const match = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(ref);
  if (!match) return null;
  return { countryId: integerText(match[1]) ?? '', applicationId: integerText(match[2]) ?? '' };
}

/** Activation refs are SMS-Man's request_id, a positive integer. */
export function parseUpstreamRef(ref: string): string | null {
  const text = integerText(ref.trim());
  return text === null || text === '0' ? null : text;
}

// ---------------------------------------------------------------------------------------------
// Id-keyed lists: the doc shows arrays; the live service (and PHP for keys 0..n-1) may send
// objects keyed by id. Both become one list, the key filling in a missing `id`.

export function listFromIdKeyed<T extends { id?: unknown }>(
  value: Record<string, T> | readonly T[],
): T[] {
  if (Array.isArray(value)) return [...(value as readonly T[])];
  return Object.entries(value as Record<string, T>).map(([key, item]) =>
    item.id === undefined || item.id === null ? { ...item, id: key } : item,
  );
}

/** Entries of an id-keyed map or array as [id, value] pairs (get-prices' two levels). */
export function entriesOfIdKeyed<T>(value: Record<string, T> | readonly T[]): Array<[string, T]> {
  if (Array.isArray(value)) {
    return (value as readonly T[]).map((item, index) => [String(index), item]);
  }
  return Object.entries(value as Record<string, T>);
}

// ---------------------------------------------------------------------------------------------
// Services

/**
 * Our slugs with the SMS-Man application codes (the SMS-Activate family of codes: the doc's own
 * vk / wb / tg are those) and names that mean them. Names are matched first (the doc's
 * "Vkontakte", "WeChat", "Telegram"), codes second.
 */
export const SMSMAN_SERVICE_TABLE: ReadonlyArray<{
  slug: string;
  codes: readonly string[];
  names: readonly string[];
}> = [
  { slug: 'telegram', codes: ['tg'], names: ['Telegram'] },
  { slug: 'whatsapp', codes: ['wa'], names: ['WhatsApp', 'Whats App'] },
  { slug: 'instagram', codes: ['ig'], names: ['Instagram', 'Instagram + Threads', 'Threads'] },
  { slug: 'vk', codes: ['vk'], names: ['Vkontakte', 'VK', 'VK.com', 'VKontakte (vk.com)'] },
  { slug: 'wechat', codes: ['wb'], names: ['WeChat', 'Weixin'] },
  { slug: 'facebook', codes: ['fb'], names: ['Facebook'] },
  {
    slug: 'google',
    codes: ['go'],
    names: ['Google', 'Gmail', 'Google, YouTube, Gmail', 'YouTube'],
  },
  { slug: 'viber', codes: ['vi'], names: ['Viber'] },
  { slug: 'tiktok', codes: ['lf'], names: ['TikTok', 'Tik Tok', 'TikTok/Douyin', 'Douyin'] },
  { slug: 'twitter', codes: ['tw'], names: ['Twitter', 'X', 'X (Twitter)', 'Twitter (X)'] },
  { slug: 'discord', codes: ['ds'], names: ['Discord'] },
  { slug: 'microsoft', codes: ['mm'], names: ['Microsoft', 'Outlook', 'Hotmail', 'Bing'] },
  { slug: 'yahoo', codes: ['mb'], names: ['Yahoo'] },
  { slug: 'amazon', codes: ['am'], names: ['Amazon'] },
  { slug: 'apple', codes: ['wx'], names: ['Apple', 'Apple ID'] },
  { slug: 'uber', codes: ['ub'], names: ['Uber'] },
  { slug: 'openai', codes: ['dr'], names: ['OpenAI', 'ChatGPT', 'OpenAI / ChatGPT'] },
  { slug: 'netflix', codes: ['nf'], names: ['Netflix'] },
  { slug: 'linkedin', codes: ['tn'], names: ['LinkedIn'] },
  { slug: 'snapchat', codes: ['fu'], names: ['Snapchat'] },
  { slug: 'signal', codes: ['bw'], names: ['Signal'] },
  { slug: 'line', codes: ['me'], names: ['Line', 'LINE messenger', 'Line Messenger'] },
  { slug: 'kakaotalk', codes: ['kt'], names: ['KakaoTalk', 'Kakao Talk'] },
  { slug: 'tinder', codes: ['oi'], names: ['Tinder'] },
  { slug: 'steam', codes: ['mt'], names: ['Steam'] },
  { slug: 'paypal', codes: ['ts'], names: ['PayPal'] },
  { slug: 'airbnb', codes: ['uk'], names: ['Airbnb'] },
  { slug: 'ebay', codes: ['dh'], names: ['eBay'] },
  { slug: 'yandex', codes: ['ya'], names: ['Yandex', 'Yandex.ru'] },
  { slug: 'mailru', codes: ['ma'], names: ['Mail.ru', 'Mailru Group', 'Mail.ru Group'] },
  { slug: 'ok', codes: ['ok'], names: ['Odnoklassniki', 'OK.ru', 'OK'] },
  { slug: 'avito', codes: ['av'], names: ['Avito'] },
  { slug: 'imo', codes: ['im'], names: ['Imo'] },
  { slug: 'skype', codes: ['sk'], names: ['Skype'] },
  { slug: 'shopee', codes: ['ka'], names: ['Shopee'] },
  { slug: 'bolt', codes: ['tx'], names: ['Bolt'] },
  { slug: 'zalo', codes: ['mj'], names: ['Zalo'] },
  { slug: 'ozon', codes: ['sg'], names: ['Ozon'] },
  { slug: 'wildberries', codes: ['uu'], names: ['Wildberries'] },
  { slug: 'aliexpress', codes: ['hx'], names: ['AliExpress'] },
  { slug: 'alibaba', codes: ['ab'], names: ['Alibaba', 'Alipay/Alibaba/1688', 'Alipay'] },
  { slug: 'grab', codes: ['jg'], names: ['Grab', 'GrabTaxi', 'Grab Taxi'] },
  { slug: 'bumble', codes: ['mo'], names: ['Bumble'] },
  { slug: 'badoo', codes: ['qv'], names: ['Badoo'] },
  { slug: 'twitch', codes: ['hb'], names: ['Twitch'] },
  { slug: 'spotify', codes: ['alj'], names: ['Spotify'] },
  { slug: 'binance', codes: ['aon'], names: ['Binance'] },
  { slug: 'coinbase', codes: ['re'], names: ['Coinbase'] },
  { slug: 'bybit', codes: ['bnc'], names: ['Bybit'] },
  { slug: 'okx', codes: ['aaa'], names: ['OKX', 'OKEx'] },
  { slug: 'claude', codes: ['acz'], names: ['Claude', 'Anthropic', 'Claude AI'] },
  { slug: 'blizzard', codes: ['bz'], names: ['Blizzard', 'Battle.net'] },
  { slug: 'epicgames', codes: ['blm'], names: ['Epic Games', 'Epicgames'] },
  { slug: 'nike', codes: ['ew'], names: ['Nike'] },
  { slug: 'walmart', codes: ['wr'], names: ['Walmart'] },
  // SMS-Activate's "any other" service: our bucket for the same thing.
  { slug: 'other', codes: ['ot'], names: ['Any other', 'Other', 'Others'] },
];

/** Lower-case letters and digits only: "Mail.ru Group" → "mailrugroup", "Tik Tok" → "tiktok". */
export function normalizeName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]/g, '');
}

const SERVICE_BY_NAME = new Map<string, string>();
const SERVICE_BY_CODE = new Map<string, string>();
for (const { slug, codes, names } of SMSMAN_SERVICE_TABLE) {
  // Only slugs core's catalog knows (a test keeps the table honest).
  if (findService(slug)?.slug !== slug) continue;
  SERVICE_BY_NAME.set(normalizeName(slug), slug);
  for (const name of names) SERVICE_BY_NAME.set(normalizeName(name), slug);
  for (const code of codes) SERVICE_BY_CODE.set(code.toLowerCase(), slug);
}

/** Our slug for an SMS-Man application, or null when we do not sell that service. */
export function serviceSlugOf(application: SmsManApplication): string | null {
  for (const name of [application.name, application.title]) {
    if (typeof name !== 'string') continue;
    const slug = SERVICE_BY_NAME.get(normalizeName(name));
    if (slug !== undefined) return slug;
  }
  const code = typeof application.code === 'string' ? application.code.trim().toLowerCase() : '';
  return SERVICE_BY_CODE.get(code) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Countries

/** Titles the upstream uses that Intl's English names do not cover. */
const COUNTRY_ALIASES: Readonly<Record<string, string>> = {
  USA: 'US',
  'United States of America': 'US',
  America: 'US',
  UK: 'GB',
  England: 'GB',
  'Great Britain': 'GB',
  Britain: 'GB',
  'Russian Federation': 'RU',
  Turkey: 'TR',
  'Czech Republic': 'CZ',
  'Ivory Coast': 'CI',
  "Cote d'Ivoire": 'CI',
  Burma: 'MM',
  'Hong Kong': 'HK',
  Macau: 'MO',
  Macao: 'MO',
  Swaziland: 'SZ',
  Macedonia: 'MK',
  'East Timor': 'TL',
  'DR Congo': 'CD',
  'Democratic Republic of the Congo': 'CD',
  'Congo (Dem. Republic)': 'CD',
  'Congo Kinshasa': 'CD',
  Congo: 'CG',
  'Republic of the Congo': 'CG',
  'Congo Brazzaville': 'CG',
  Palestine: 'PS',
  Korea: 'KR',
  'Republic of Korea': 'KR',
  'Viet Nam': 'VN',
  Lao: 'LA',
  'Syrian Arab Republic': 'SY',
  Vatican: 'VA',
  'Bosnia and Herzegovina': 'BA',
  Bosnia: 'BA',
  'Cape Verde': 'CV',
  'Cabo Verde': 'CV',
  Kirgizstan: 'KG',
  Kirghizia: 'KG',
  Moldavia: 'MD',
  Belorussia: 'BY',
  Holland: 'NL',
  'The Netherlands': 'NL',
  'The Gambia': 'GM',
  'Trinidad and Tobago': 'TT',
  'Antigua and Barbuda': 'AG',
  'Saint Kitts and Nevis': 'KN',
  'Saint Vincent and the Grenadines': 'VC',
  'Sao Tome and Principe': 'ST',
  UAE: 'AE',
  Emirates: 'AE',
};

/** English title → ISO, for the codes core's catalog has: its names, then Intl's long and
 *  short English names (deprecated codes like DD "Germany" are never candidates), then the
 *  aliases above, which win. */
function buildCountryIndex(): Map<string, string> {
  const index = new Map<string, string>();
  const add = (name: string | undefined, iso: string): void => {
    if (!name || name === iso) return;
    for (const variant of [name, name.replace(/\s*\([^)]*\)\s*/g, ' ').trim()]) {
      const key = normalizeName(variant);
      if (key && !index.has(key)) index.set(key, iso);
    }
  };
  const long = new Intl.DisplayNames(['en'], { type: 'region' });
  const short = new Intl.DisplayNames(['en'], { type: 'region', style: 'short' });
  for (const country of COUNTRIES) add(country.name, country.iso);
  for (const { iso } of COUNTRIES) {
    const name = long.of(iso);
    add(name, iso);
    add(short.of(iso), iso);
    // "Hong Kong SAR China" is "Hong Kong" everywhere else.
    add(name?.replace(/\s+SAR China$/, ''), iso);
  }
  for (const [name, iso] of Object.entries(COUNTRY_ALIASES)) index.set(normalizeName(name), iso);
  return index;
}

const COUNTRY_BY_NAME = buildCountryIndex();

/** "USA (virtual)", "Indonesia virtual", "Russia": the country, whatever kind of number. */
function stripQualifiers(title: string): string {
  return title
    .replace(/\(([^)]*)\)/g, ' ')
    .replace(/\b(virtual|virt|physical|real|sim|esim|v\d+)\b/gi, ' ')
    .trim();
}

/** ISO 3166-1 alpha-2 for a country title in English, or null. */
export function isoOfCountryName(title: string): string | null {
  for (const candidate of [title, stripQualifiers(title)]) {
    const iso = COUNTRY_BY_NAME.get(normalizeName(candidate));
    if (iso !== undefined) return iso;
  }
  return null;
}

/** ISO for an SMS-Man country: its title (the doc's only field), else a 2-letter `code`. */
export function countryIsoOf(country: SmsManCountry): string | null {
  for (const title of [country.title, country.name]) {
    if (typeof title !== 'string') continue;
    const iso = isoOfCountryName(title);
    if (iso !== null) return iso;
  }
  const code = typeof country.code === 'string' ? country.code.trim().toUpperCase() : '';
  if (/^[A-Z]{2}$/.test(code)) {
    const iso = code === 'UK' ? 'GB' : code;
    if (findCountry(iso)?.iso === iso) return iso;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Money

/** A cost (what we pay per number): extra decimals round up, so pricing never undercuts it. */
export function costMoney(value: unknown, currency: CurrencyCode): Money | null {
  return upstreamMoney(value, currency);
}

/** A balance (what we have): extra decimals round down, so we never count money we lack. */
export function balanceMoney(value: unknown, currency: CurrencyCode): Money | null {
  const text = decimalText(value);
  if (text === null) return null;
  const { units, scale } = parseDecimal(text);
  const exponent = Money.exponentOf(currency);
  if (scale <= exponent) return Money.ofMinor(units * pow10(exponent - scale), currency);
  const divisor = pow10(scale - exponent);
  // Floor, also for a negative balance (an overdraft must not look smaller than it is).
  const quotient = units / divisor;
  const floored = units < 0n && units % divisor !== 0n ? quotient - 1n : quotient;
  return Money.ofMinor(floored, currency);
}

// ---------------------------------------------------------------------------------------------
// Catalog

export interface CatalogInput {
  countries: readonly SmsManCountry[];
  applications: readonly SmsManApplication[];
  /** [country_id, [application_id, entry][]][] from get-prices. */
  prices: ReadonlyArray<
    readonly [string, ReadonlyArray<readonly [string, SmsManPriceEntry | null]>]
  >;
  currency: CurrencyCode;
}

export interface CatalogResult {
  offers: Offer[];
  /** Products left out, and why (unknown country/service, bad cost): for a debug log. */
  skipped: Array<{ countryId: string; applicationId: string; reason: string }>;
}

/** get-prices crossed with countries and applications: one Offer per product we can name. */
export function offersFromCatalog(input: CatalogInput): CatalogResult {
  const isoById = new Map<string, string | null>();
  for (const country of input.countries) {
    const id = integerText(country.id);
    if (id !== null) isoById.set(id, countryIsoOf(country));
  }
  const slugById = new Map<string, string | null>();
  for (const application of input.applications) {
    const id = integerText(application.id);
    if (id !== null) slugById.set(id, serviceSlugOf(application));
  }

  const offers: Offer[] = [];
  const skipped: CatalogResult['skipped'] = [];
  for (const [rawCountryId, products] of input.prices) {
    const countryId = integerText(rawCountryId) ?? rawCountryId;
    const country = isoById.get(countryId);
    for (const [rawApplicationId, entry] of products) {
      const applicationId = integerText(rawApplicationId) ?? rawApplicationId;
      const skip = (reason: string): void => {
        skipped.push({ countryId, applicationId, reason });
      };
      if (entry === null) continue;
      if (country === undefined) {
        skip('country id not in /countries');
        continue;
      }
      if (country === null) {
        skip('country has no ISO code we know');
        continue;
      }
      const service = slugById.get(applicationId);
      if (service === undefined) {
        skip('application id not in /applications');
        continue;
      }
      if (service === null) {
        skip('application is not a service we sell');
        continue;
      }
      const cost = costMoney(entry.cost, input.currency);
      if (cost === null || cost.isZero()) {
        skip(`unusable cost ${JSON.stringify(entry.cost)}`);
        continue;
      }
      const stock = countOf(entry.count);
      if (stock === null) {
        skip(`unusable count ${JSON.stringify(entry.count)}`);
        continue;
      }
      offers.push({ service, country, cost, stock, ref: offerRef(countryId, applicationId) });
    }
  }
  return { offers, skipped };
}

// ---------------------------------------------------------------------------------------------
// Numbers and activations

/** "79002415539" → "+79002415539". The doc's numbers carry the country code without "+";
 *  with the order's country, core's normaliser also reads a national number. */
export function toE164(value: unknown, country?: string): string | null {
  const raw = typeof value === 'number' ? decimalText(value) : value;
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  const attempts = country === undefined ? [{}] : [{ country }, {}];
  for (const options of attempts) {
    try {
      return normalizePhoneE164(raw, options);
    } catch {
      // Next reading, or not a number at all.
    }
  }
  return null;
}

export function purchaseFromGetNumber(
  body: SmsManGetNumberResponse,
  country?: string,
): Purchase | null {
  const upstreamRef = integerText(body.request_id);
  const phoneNumber = toE164(body.number, country);
  if (upstreamRef === null || upstreamRef === '0' || phoneNumber === null) return null;
  return { upstreamRef, phoneNumber };
}

/** How an error_code in a get-sms answer reads as an activation state. */
export type GetSmsReading =
  | { kind: 'status'; status: ActivationStatus }
  /** Not a state: an error for the error table. */
  | { kind: 'error'; errorCode: string };

const WAITING_CODES = new Set(['wait_sms', 'waiting', 'wait', 'no_sms', 'sms_not_found']);

/** Normalised error_code: "Wait SMS", "wait-sms" → "wait_sms". */
export function normalizeErrorCode(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** A get-sms answer: `sms_code` → code; `wait_sms` → waiting; ended requests → their state. */
export function readGetSms(upstreamRef: string, body: SmsManGetSmsResponse): GetSmsReading {
  const code = body.sms_code === null || body.sms_code === undefined ? '' : String(body.sms_code);
  if (code.trim() !== '') {
    return {
      kind: 'status',
      status: { upstreamRef, state: 'code', messages: [{ code: code.trim(), text: null }] },
    };
  }
  const errorCode = normalizeErrorCode(body.error_code);
  const status = (state: ActivationStatus['state']): GetSmsReading => ({
    kind: 'status',
    status: { upstreamRef, state, messages: [] },
  });
  // The doc's waiting answer echoes the request and says wait_sms; an echo with neither a code
  // nor an error is read the same way. A bare `{}` is not an answer at all.
  if (errorCode === '') {
    return body.request_id !== undefined ? status('waiting') : { kind: 'error', errorCode };
  }
  if (WAITING_CODES.has(errorCode)) return status('waiting');
  if (/reject|cancel|refund|used/.test(errorCode)) return status('cancelled');
  if (/expire|timeout|time_out|time_is_up/.test(errorCode)) return status('expired');
  if (/closed|finish|complete/.test(errorCode)) return status('finished');
  return { kind: 'error', errorCode };
}
