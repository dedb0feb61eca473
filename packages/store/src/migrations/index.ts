import { InitialSchema1767000000000 } from './1767000000000-initial-schema.js';

export { InitialSchema1767000000000 };

/** Every migration, oldest first. */
export const MIGRATIONS = [InitialSchema1767000000000];
