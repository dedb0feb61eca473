/**
 * Shomare's lists (`allcountries`, `allapplications`) identify things by the upstream's own
 * numeric ids and display names — Persian on a Persian site, English possibly beside them. The
 * doc shows none of it, so these lookups recognise every plausible spelling on top of core's
 * catalog (ISO codes, English and Persian names, calling codes) plus the short codes and
 * colloquial names shops use ("tg", "wa", "انگلیس", "آمریکا").
 */
import {
  COUNTRIES,
  SERVICES,
  countriesByDialingCode,
  findCountry,
  findService,
  type Country,
} from '@numbroker/core';

/** Names shops use for a country beside the catalog's English and Persian ones. */
const EXTRA_COUNTRY_NAMES: Readonly<Record<string, readonly string[]>> = {
  RU: ['russian federation'],
  US: ['usa', 'united states of america', 'america', 'آمریکا', 'امریکا'],
  GB: ['uk', 'england', 'great britain', 'انگلیس', 'انگلستان'],
  TR: ['turkey', 'turkiye'],
  AE: ['uae', 'emirates', 'امارات'],
  KR: ['south korea', 'korea', 'کره جنوبی'],
  CZ: ['czech republic', 'چک'],
  VN: ['viet nam'],
  NL: ['holland'],
  AZ: ['azerbaijan', 'آذربایجان'],
  SA: ['saudi arabia', 'عربستان'],
};

/** Codes and names upstreams use for a service beside the catalog's English and Persian names
 *  (SMS-Activate style short codes included). */
const EXTRA_SERVICE_NAMES: Readonly<Record<string, readonly string[]>> = {
  telegram: ['tg'],
  whatsapp: ['wa', 'whats app', 'واتس اپ', 'واتس آپ'],
  instagram: ['ig', 'insta', 'اینستا'],
  google: ['gmail', 'youtube', 'go', 'جیمیل', 'یوتیوب'],
  facebook: ['fb', 'فیس بوک'],
  viber: ['vi'],
  twitter: ['x', 'tw', 'تویتر'],
  tiktok: ['tik tok', 'lf', 'تیکتاک'],
  discord: ['ds'],
  microsoft: ['outlook', 'hotmail', 'mm'],
  yahoo: ['mb'],
  amazon: ['am'],
  apple: ['icloud', 'wx'],
  openai: ['open ai', 'chatgpt', 'chat gpt', 'dr', 'چت جی پی تی'],
  snapchat: ['fu', 'snap chat'],
  linkedin: ['tn'],
  imo: ['im'],
  signal: ['bw'],
  wechat: ['wb', 'we chat'],
  line: ['line messenger'],
  steam: ['mt'],
  paypal: ['ts'],
  netflix: ['nf'],
  tinder: ['oi'],
  uber: ['ub'],
};

/**
 * Folds the spellings a Persian or English name can take onto one key: Arabic yeh/kaf to
 * Persian, zero-width non-joiners and punctuation to spaces, Persian/Arabic digits to ASCII,
 * diacritics dropped, lower case, single spaces.
 */
export function foldName(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[يى]/g, 'ی')
    .replace(/ك/g, 'ک')
    .replace(/ة/g, 'ه')
    .replace(/[أإٱ]/g, 'ا')
    .replace(/[\u06F0-\u06F9]/g, (digit) => String(digit.charCodeAt(0) - 0x06f0))
    .replace(/[\u0660-\u0669]/g, (digit) => String(digit.charCodeAt(0) - 0x0660))
    .replace(/\p{Mn}/gu, '') // harakat (after NFC, Latin accents are precomposed and stay)
    .replace(/\u0640/g, '') // tatweel
    .replace(/\u200c|\u200d|\u200e|\u200f|\u00a0/g, ' ')
    .toLowerCase()
    .replace(/[\s_\-./()]+/g, ' ')
    .trim();
}

const countryByName = new Map<string, Country>();
for (const country of COUNTRIES) {
  for (const name of [
    country.name,
    country.namePersian,
    ...(EXTRA_COUNTRY_NAMES[country.iso] ?? []),
  ]) {
    countryByName.set(foldName(name), country);
    // "ترکیه" and "ترکیه‌" (with a trailing ZWNJ) or "Türkiye" without the umlaut.
    countryByName.set(foldName(name).replace(/ /g, ''), country);
  }
}

const slugByName = new Map<string, string>();
for (const service of SERVICES) {
  if (service.slug === 'other') continue;
  for (const name of [
    service.slug,
    service.name,
    service.namePersian,
    ...(EXTRA_SERVICE_NAMES[service.slug] ?? []),
  ]) {
    slugByName.set(foldName(name), service.slug);
    slugByName.set(foldName(name).replace(/ /g, ''), service.slug);
  }
}

/** The catalog's country for an ISO code the upstream wrote ("ru", "UK" → GB). */
export function countryFromIsoCode(code: string): Country | undefined {
  const upper = code.trim().toUpperCase();
  return findCountry(upper === 'UK' ? 'GB' : upper);
}

export function countryFromName(name: string): Country | undefined {
  const folded = foldName(name);
  return countryByName.get(folded) ?? countryByName.get(folded.replace(/ /g, ''));
}

/** Only when the calling code names exactly one country (+7 is RU and KZ, +1 many). */
export function countryFromDialCode(dial: string): Country | undefined {
  const matches = countriesByDialingCode(dial.replace(/^\+|^00/, ''));
  return matches.length === 1 ? matches[0] : undefined;
}

/** Our slug for an upstream's service name or code, or undefined when we have none. */
export function serviceSlugFromName(name: string): string | undefined {
  const folded = foldName(name);
  const slug = slugByName.get(folded) ?? slugByName.get(folded.replace(/ /g, ''));
  return slug !== undefined && findService(slug)?.slug === slug ? slug : undefined;
}
