import 'reflect-metadata';

export { parseDatabaseUrl, TransactionConflict, type DatabaseKind } from './database.js';
export * from './errors.js';
export type { OfferInput, OfferQuery } from './offer-store.js';
export { listenForOrderEvents, type OrderEventListener } from './order-event-listener.js';
export type { AttemptInput, AttemptRecord, UpstreamAttemptOutcome } from './orders/attempts.js';
export type { ClaimOptions, ClaimedOrder, Reschedule } from './orders/leases.js';
export type {
  ApplyOrderCommandOptions,
  ApplyOrderCommandResult,
  CreatePendingOrderInput,
  CreatePendingOrderResult,
} from './orders/lifecycle.js';
export type { OrderStore } from './orders/order-store.js';
export type { OrderEventView, OrderView, SmsView } from './orders/order-view.js';
export { ORDER_EVENTS_CHANNEL } from './orders/outbox.js';
export type { OrderPage } from './orders/queries.js';
export { providerUsable, type BreakerPolicy } from './provider-state-store.js';
export { Store, type StoreOptions } from './store.js';
export { hashApiKey, type CreditResult } from './user-store.js';
export type * from './views.js';
// Operating it: readiness, migrations under a lock, backup, retention, activation ids, money
// movements, metrics reads.
export { ActivationIdStore, type ActivationOwner } from './activation-id-store.js';
export { backupDatabase, BackupRefused, type BackupResult } from './backup.js';
export { checkDatabaseHealth, type DatabaseHealth } from './database-health.js';
export { migrateUnderLock, MigrationsPending, pendingMigrations } from './migrate.js';
export {
  MoneyMovements,
  type MoneyMovement,
  type MoneyMovementListener,
} from './money-movements.js';
export { countOpenOrders, type OpenOrderCount } from './open-order-counts.js';
export { openStore, type OpenStoreConfig } from './open-store.js';
export { pruneHistory, type PruneOptions, type PruneResult } from './retention.js';
