import { PROVIDER_KINDS } from '@numbroker/config';
import { registerEnumType } from 'type-graphql';

/** The upstream protocols, from the config's own list (so a new kind is in the API at once).
 *  Values are the config's `kind` strings, so the wire shows what a String showed before. */
export const ProviderKindEnum = Object.fromEntries(PROVIDER_KINDS.map((kind) => [kind, kind])) as {
  [K in (typeof PROVIDER_KINDS)[number]]: K;
};
export type ProviderKindEnum = (typeof PROVIDER_KINDS)[number];

registerEnumType(ProviderKindEnum, {
  name: 'ProviderKind',
  description: 'The upstream protocol a provider speaks (config `kind`).',
  valuesConfig: Object.fromEntries(
    PROVIDER_KINDS.map((kind) => [kind, { description: `The ${kind} protocol.` }]),
  ),
});
