import { InitialSchema1767000000000 } from './1767000000000-initial-schema.js';
import { ResellerConsole1767100000000 } from './1767100000000-reseller-console.js';

export { InitialSchema1767000000000, ResellerConsole1767100000000 };

/** Every migration, oldest first. */
export const MIGRATIONS = [InitialSchema1767000000000, ResellerConsole1767100000000];
