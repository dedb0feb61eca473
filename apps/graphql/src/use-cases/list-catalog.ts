import { COUNTRIES, SERVICES } from '@numbroker/core';

export function listServices(): Array<{ slug: string; name: string }> {
  return SERVICES.map(({ slug, name }) => ({ slug, name }));
}

export function listCountries(): Array<{ iso: string; name: string; dialingCode: string }> {
  return COUNTRIES.map(({ iso, name, dialingCode }) => ({ iso, name, dialingCode }));
}
