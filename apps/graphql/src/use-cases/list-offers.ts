import {
  findCountry,
  rankOffers,
  requireCountry,
  requireService,
  type PricedOffer,
} from '@numbroker/core';
import type { AppDeps } from '../services/app-deps.js';
import { priceOffers } from './shared.js';

/** What is for sale now (the catalog the worker keeps), priced, cheapest first. Offers of
 *  providers that are unhealthy or not configured in this server are left out; with
 *  `operator`, only that operator's. */
export async function listOffers(
  deps: AppDeps,
  request: { service: string; country?: string | undefined; operator?: string | undefined },
): Promise<PricedOffer[]> {
  const service = requireService(request.service).slug;
  const country = request.country === undefined ? undefined : requireCountry(request.country).iso;
  const [stored, states] = await Promise.all([
    deps.store.listOffers(service, country),
    deps.store.providerStates(),
  ]);
  const priced = priceOffers(deps, stored);
  const countries = country ? [country] : [...new Set(priced.map((offer) => offer.country))];
  const ranked = countries.flatMap(
    (iso) =>
      rankOffers(priced, {
        service,
        country: findCountry(iso)?.iso ?? iso,
        ...(request.operator === undefined ? {} : { operator: request.operator }),
        health: (providerId) => ({
          healthy: deps.adapters.has(providerId) && (states.get(providerId)?.healthy ?? true),
        }),
      }).offers,
  );
  return ranked.sort((a, b) => a.price.compare(b.price) || a.country.localeCompare(b.country));
}
