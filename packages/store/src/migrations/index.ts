import { InitialSchema1767000000000 } from './1767000000000-initial-schema.js';
import { ActivationIds1767100000000 } from './1767100000000-activation-ids.js';

export { ActivationIds1767100000000, InitialSchema1767000000000 };

/** Every migration, oldest first. */
export const MIGRATIONS = [InitialSchema1767000000000, ActivationIds1767100000000];
