import { CatalogError } from './catalog-errors.js';
import { COUNTRY_ROWS, MAIN_COUNTRY_FOR_DIALING_CODE } from './countries.data.js';
import { SERVICE_ROWS } from './services.data.js';

export interface Service {
  slug: string;
  name: string;
  namePersian: string;
}

export interface Country {
  /** ISO 3166-1 alpha-2, upper case. */
  iso: string;
  name: string;
  namePersian: string;
  /** The E.164 country calling code, digits only ("7", "98", "1"). */
  dialingCode: string;
  /** Dialled before a national number inside the country ("0", "8" in Russia), if any. */
  trunkPrefix?: string;
  /** Possible lengths of a national significant number; empty when unknown. */
  nationalNumberLengths: readonly number[];
}

export const SERVICES: readonly Service[] = Object.freeze(
  SERVICE_ROWS.map(([slug, name, namePersian]) => Object.freeze({ slug, name, namePersian })),
);

export const COUNTRIES: readonly Country[] = Object.freeze(
  COUNTRY_ROWS.map(([iso, name, namePersian, dialingCode, trunkPrefix, lengths]) =>
    Object.freeze({
      iso,
      name,
      namePersian,
      dialingCode,
      ...(trunkPrefix === null ? {} : { trunkPrefix }),
      nationalNumberLengths: lengths,
    }),
  ),
);

const servicesBySlug = new Map(SERVICES.map((service) => [service.slug, service]));
const countriesByIso = new Map(COUNTRIES.map((country) => [country.iso, country]));
const countriesByCode = new Map<string, Country[]>();
for (const country of COUNTRIES) {
  const list = countriesByCode.get(country.dialingCode) ?? [];
  list.push(country);
  countriesByCode.set(country.dialingCode, list);
}

const normalizeKey = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** The service for a slug (case-insensitive), or undefined. */
export function findService(slug: string): Service | undefined {
  return servicesBySlug.get(normalizeKey(slug).toLowerCase());
}

/** The country for an ISO alpha-2 code (case-insensitive), or undefined. */
export function findCountry(iso: string): Country | undefined {
  return countriesByIso.get(normalizeKey(iso).toUpperCase());
}

/** `findService` that throws BAD_USER_INPUT naming the slug. */
export function requireService(slug: string): Service {
  const service = findService(slug);
  if (!service) throw new CatalogError('UNKNOWN_SERVICE', `unknown service "${String(slug)}"`);
  return service;
}

/** `findCountry` that throws BAD_USER_INPUT naming the code. */
export function requireCountry(iso: string): Country {
  const country = findCountry(iso);
  if (!country) {
    throw new CatalogError(
      'UNKNOWN_COUNTRY',
      `unknown country "${String(iso)}" (expected an ISO 3166-1 alpha-2 code such as RU)`,
    );
  }
  return country;
}

/** The country a calling code stands for ("7" → RU, "+1" → US, "84" → VN). Codes shared by
 *  several countries give their main one; `countriesByDialingCode` lists them all. */
export function countryByDialingCode(code: string): Country | undefined {
  const digits = normalizeKey(code).replace(/^\+/, '');
  const all = countriesByCode.get(digits);
  if (!all) return undefined;
  const main = MAIN_COUNTRY_FOR_DIALING_CODE[digits];
  return (main === undefined ? undefined : countriesByIso.get(main)) ?? all[0];
}

/** Every country that uses a calling code, in ISO order. */
export function countriesByDialingCode(code: string): readonly Country[] {
  return countriesByCode.get(normalizeKey(code).replace(/^\+/, '')) ?? [];
}

/** The calling code an international number (digits, no "+") starts with: calling codes are
 *  prefix-free, so at most one of its first 1–3 digits is one. */
export function dialingCodeOf(internationalDigits: string): string | undefined {
  for (let length = 1; length <= 3; length++) {
    const candidate = internationalDigits.slice(0, length);
    if (countriesByCode.has(candidate)) return candidate;
  }
  return undefined;
}
