import { findCountry, findService } from '@numbroker/core';
import { COUNTRY_ID_TO_ISO, SERVICE_CODE_TO_SLUG } from '@numbroker/providers';

/** SMS-Activate's numeric country ids and service codes, to our ISO codes and slugs: the
 *  tables of `packages/providers/src/smsactivate/mapping.ts`, which the adapter uses to speak
 *  the protocol as a client and this endpoint uses to speak it as a host. */
export interface SmsActivateCodeTables {
  countryIdToIso: Readonly<Record<string, string>>;
  serviceCodeToSlug: Readonly<Record<string, string>>;
}

/** The providers package's own tables (the SMS-Activate adapter's), never a copy. */
export function providerCodeTables(): SmsActivateCodeTables {
  return { countryIdToIso: COUNTRY_ID_TO_ISO, serviceCodeToSlug: SERVICE_CODE_TO_SLUG };
}

const COUNTRY_ID = /^\d{1,4}$/;
const SERVICE_CODE = /^[a-z0-9_]{1,16}$/;

/** Both directions of the tables, limited to what core's catalog knows. */
export class SmsActivateCodes {
  private readonly isoById = new Map<string, string>();
  private readonly idsByIso = new Map<string, string[]>();
  private readonly slugByCode = new Map<string, string>();
  private readonly codeBySlug = new Map<string, string>();

  constructor(tables: SmsActivateCodeTables) {
    const ids = Object.keys(tables.countryIdToIso).sort((a, b) => Number(a) - Number(b));
    for (const id of ids) {
      const iso = findCountry(tables.countryIdToIso[id] ?? '')?.iso;
      if (!iso || !COUNTRY_ID.test(id)) continue;
      this.isoById.set(String(Number(id)), iso);
      // Several ids may sell one country (12 "USA virtual" and 187 "USA"): all are kept.
      this.idsByIso.set(iso, [...(this.idsByIso.get(iso) ?? []), String(Number(id))]);
    }
    for (const [code, slugText] of Object.entries(tables.serviceCodeToSlug)) {
      const slug = findService(slugText)?.slug;
      if (!slug || !SERVICE_CODE.test(code)) continue;
      this.slugByCode.set(code, slug);
      if (!this.codeBySlug.has(slug)) this.codeBySlug.set(slug, code);
    }
  }

  /** "0" → "RU"; "007" reads as 7. Undefined for ids we cannot name. */
  isoOfCountryId(countryId: string): string | undefined {
    const id = countryId.trim();
    return COUNTRY_ID.test(id) ? this.isoById.get(String(Number(id))) : undefined;
  }

  /** Every country id we can name, ascending. */
  countryIds(): string[] {
    return [...this.isoById.keys()];
  }

  /** "US" → ["12", "187"], ascending. */
  countryIdsOfIso(iso: string): readonly string[] {
    return this.idsByIso.get(iso) ?? [];
  }

  slugOfServiceCode(code: string): string | undefined {
    return this.slugByCode.get(code.trim().toLowerCase());
  }

  serviceCodeOfSlug(slug: string): string | undefined {
    return this.codeBySlug.get(slug);
  }

  /** Every slug we can name on the wire, in the tables' order. */
  slugs(): string[] {
    return [...this.codeBySlug.keys()];
  }
}
