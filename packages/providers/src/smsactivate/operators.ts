/**
 * Operator choice over SMS-Activate's protocol: `getOperators` lists each country's operators,
 * `getNumber&operator=` buys only from one. `getPrices` has no per-operator prices, so an operator
 * offer repeats its product's cost and stock (an upper bound: a buy may still find none, which
 * is NO_NUMBERS and fails over). Pure; the adapter asks, this reads.
 */
import type { Offer } from '../adapter.js';
import { parseOfferRef } from './mapping.js';

/**
 * Operator names per country id from a `getOperators` answer, in every shape seen or plausible:
 * `{status:"success", countryOperators:{"0":["beeline",…]}}`, the same without `status`, or the
 * map itself. `any` is no operator. Null when the answer is none of these (a host without
 * the action, `{status:"error",…}`).
 */
export function operatorsByCountry(body: unknown): Map<string, string[]> | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const record = body as Record<string, unknown>;
  if (record.status !== undefined && record.status !== 'success') return null;
  const table = record.countryOperators ?? (record.status === undefined ? record : undefined);
  if (typeof table !== 'object' || table === null || Array.isArray(table)) return null;
  const result = new Map<string, string[]>();
  for (const [countryId, names] of Object.entries(table as Record<string, unknown>)) {
    if (!/^\d+$/.test(countryId) || !Array.isArray(names)) continue;
    const operators = names
      .filter((name): name is string => typeof name === 'string')
      .map((name) => name.trim())
      .filter((name) => /^[\w.-]{1,64}$/u.test(name) && name.toLowerCase() !== 'any');
    result.set(countryId, [...new Set(operators)]);
  }
  return result;
}

/** One more offer per operator of each offer's country, after the offers themselves. */
export function withOperatorOffers(
  offers: readonly Offer[],
  operators: ReadonlyMap<string, readonly string[]>,
): Offer[] {
  const extra: Offer[] = [];
  for (const offer of offers) {
    if (offer.operator !== undefined) continue;
    const countryId = parseOfferRef(offer.ref)?.countryId;
    for (const operator of countryId === undefined ? [] : (operators.get(countryId) ?? [])) {
      extra.push({ ...offer, operator });
    }
  }
  return [...offers, ...extra];
}
