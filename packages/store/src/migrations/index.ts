import { InitialSchema1767000000000 } from './1767000000000-initial-schema.js';
import { ResellerConsole1767100000000 } from './1767100000000-reseller-console.js';
import { ActivationIds1767200000000 } from './1767200000000-activation-ids.js';
import { RouteOutcomes1767400000000 } from './1767400000000-route-outcomes.js';
import { UniqueUpstreamRef1767500000000 } from './1767500000000-unique-upstream-ref.js';

export {
  ActivationIds1767200000000,
  InitialSchema1767000000000,
  ResellerConsole1767100000000,
  RouteOutcomes1767400000000,
  UniqueUpstreamRef1767500000000,
};

/** Every migration, oldest first. */
export const MIGRATIONS = [
  InitialSchema1767000000000,
  ResellerConsole1767100000000,
  ActivationIds1767200000000,
  RouteOutcomes1767400000000,
  UniqueUpstreamRef1767500000000,
];
