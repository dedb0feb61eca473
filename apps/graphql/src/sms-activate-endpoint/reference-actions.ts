import { findCountry, findService } from '@numbroker/core';
import { listOffers } from '../use-cases/list-offers.js';
import { normalizeCountryId, type EndpointContext, type Params } from './endpoint-context.js';
import { jsonAnswer, ProtocolRefusal, type Answer } from './answers.js';
import { JsonNumber, type JsonValue } from './json-text.js';

/** SMS-Activate's default country when `country` is left out. */
const DEFAULT_COUNTRY_ID = '0';

/** What is on sale for one service in one country. */
interface Stock {
  count: number;
}

/** ISO country → service slug → stock, over `offers` (healthy, configured providers only),
 *  limited to what the protocol can name. `operator` keeps only that operator's offers. */
async function stockByCountry(
  { deps, codes }: EndpointContext,
  iso: string | undefined,
  operator?: string,
): Promise<Map<string, Map<string, Stock>>> {
  const table = new Map<string, Map<string, Stock>>();
  for (const slug of codes.slugs()) {
    // Ranked as a buy would be: a host's operator offers beside its any-operator offer (the
    // same numbers) are not counted twice.
    const offers = await listOffers(deps, { service: slug, country: iso, operator });
    for (const offer of offers) {
      if (offer.stock <= 0) continue;
      const services = table.get(offer.country) ?? new Map<string, Stock>();
      const stock = services.get(slug) ?? { count: 0 };
      stock.count += offer.stock;
      services.set(slug, stock);
      table.set(offer.country, services);
    }
  }
  return table;
}

/** `country` as an ISO code, or undefined when the parameter is absent; BAD_COUNTRY when it
 *  names no country we know. */
function countryParam(
  context: EndpointContext,
  params: Params,
  fallback?: string,
): { id: string; iso: string } | undefined {
  const text = params.get('country')?.trim() || fallback;
  if (!text) return undefined;
  const id = normalizeCountryId(text);
  const iso = id === undefined ? undefined : context.codes.isoOfCountryId(id);
  if (id === undefined || !iso) throw new ProtocolRefusal('BAD_COUNTRY');
  return { id, iso };
}

/** An `operator` that filters ("any" and empty do not). */
function operatorParam(params: Params): string | undefined {
  const operator = params.get('operator')?.trim().toLowerCase();
  return operator && operator !== 'any' ? operator : undefined;
}

/** `getNumbersStatus&country=`: `{"tg_0": "7", …}` — numbers on sale per service code, the
 *  `_0` suffix being "without call forwarding" (the only kind sold here). Counts are strings,
 *  as hosts send them. Without `country`, country 0, as SMS-Activate does. */
export async function getNumbersStatus(context: EndpointContext, params: Params): Promise<Answer> {
  const country = countryParam(context, params, DEFAULT_COUNTRY_ID);
  if (!country) throw new ProtocolRefusal('BAD_COUNTRY');
  const table = await stockByCountry(context, country.iso, operatorParam(params));
  const body = new Map<string, JsonValue>();
  for (const slug of context.codes.slugs()) {
    const code = context.codes.serviceCodeOfSlug(slug);
    if (code === undefined) continue;
    body.set(`${code}_0`, String(table.get(country.iso)?.get(slug)?.count ?? 0));
  }
  return jsonAnswer(body);
}

/** `getCountries`: every country id we can name, keyed by id. We hold English names only, so
 *  `rus` and `chn` carry the English name too (documented in NOTES.md). */
export function getCountries({ codes }: EndpointContext): Answer {
  const body = new Map<string, JsonValue>();
  for (const id of codes.countryIds()) {
    const iso = codes.isoOfCountryId(id);
    const name = iso ? (findCountry(iso)?.name ?? iso) : id;
    body.set(id, {
      id: JsonNumber.ofInteger(Number(id)),
      rus: name,
      eng: name,
      chn: name,
      visible: JsonNumber.ofInteger(1),
      retry: JsonNumber.ofInteger(0),
      rent: JsonNumber.ofInteger(0),
      multiService: JsonNumber.ofInteger(0),
    });
  }
  return jsonAnswer(body);
}

/** `getServicesList[&country=]`: `{status: "success", services: [{code, name}]}` — every
 *  service we can name, or with `country` those on sale there now. `lang` is accepted; names
 *  are English. */
export async function getServicesList(context: EndpointContext, params: Params): Promise<Answer> {
  const country = countryParam(context, params);
  const onSale = country
    ? (await stockByCountry(context, country.iso)).get(country.iso)
    : undefined;
  const services: JsonValue[] = [];
  for (const slug of context.codes.slugs()) {
    const code = context.codes.serviceCodeOfSlug(slug);
    if (code === undefined) continue;
    if (country && !onSale?.has(slug)) continue;
    services.push({ code, name: findService(slug)?.name ?? slug });
  }
  return jsonAnswer({ status: 'success', services });
}

/** `getOperators[&country=]`: `{status: "success", countryOperators: {"<id>": [..]}}` — the
 *  operators whose numbers are on sale (as offers name them); OPERATORS_NOT_FOUND when none. */
export async function getOperators(context: EndpointContext, params: Params): Promise<Answer> {
  const { deps, codes } = context;
  const country = countryParam(context, params);
  // Operator names straight from the catalog (ranking folds a host's operator offers into
  // its any-operator one), of configured providers, in stock.
  const byIso = new Map<string, Set<string>>();
  for (const slug of codes.slugs()) {
    for (const offer of await deps.store.listOffers(slug, country?.iso)) {
      if (!offer.operator || !deps.adapters.has(offer.providerId)) continue;
      byIso.set(offer.country, (byIso.get(offer.country) ?? new Set()).add(offer.operator));
    }
  }
  const byId = new Map<string, JsonValue>();
  for (const [iso, operators] of byIso) {
    for (const id of country ? [country.id] : codes.countryIdsOfIso(iso)) {
      byId.set(id, [...operators].sort());
    }
  }
  if (byId.size === 0) return jsonAnswer({ status: 'error', error: 'OPERATORS_NOT_FOUND' });
  const sorted = new Map([...byId].sort(([a], [b]) => Number(a) - Number(b)));
  return jsonAnswer({ status: 'success', countryOperators: sorted });
}
