import 'reflect-metadata';

export { parseDatabaseUrl, TransactionConflict, type DatabaseKind } from './database.js';
export * from './errors.js';
export type { OfferInput, OfferQuery } from './offer-store.js';
export { listenForOrderEvents, type OrderEventListener } from './order-event-listener.js';
export type {
  AttemptInput,
  AttemptRecord,
  OpenBuyAttempt,
  UpstreamAttemptOutcome,
  UpstreamDebtInput,
} from './orders/attempts.js';
export type { ClaimOptions, ClaimedOrder, Reschedule } from './orders/leases.js';
export type {
  ApplyOrderCommandOptions,
  ApplyOrderCommandResult,
  CreatePendingOrderInput,
  CreatePendingOrderResult,
} from './orders/lifecycle.js';
export type { OrderStore } from './orders/order-store.js';
export type {
  OrderEventPayload,
  OrderEventView,
  OrderSnapshot,
  OrderView,
  SmsView,
} from './orders/order-view.js';
export { ORDER_EVENTS_CHANNEL } from './orders/outbox.js';
export type { OrderPage } from './orders/queries.js';
export { smsIdentity } from './orders/sms-identity.js';
export { providerUsable, type BreakerPolicy } from './provider-state-store.js';
export type {
  RouteOutcomeQuery,
  RouteOutcomeRow,
  RouteOutcomeStore,
} from './route-outcome-store.js';
export { Store, type StoreOptions } from './store.js';
export { hashApiKey, type CreditResult } from './user-store.js';
export type * from './views.js';
// The reseller console (issue 11): admin lists and corrections, API keys, audit log, webhooks.
export {
  startOfUtcDay,
  utcDayKey,
  type AdminStatsStore,
  type OrderSalesRow,
  type ProviderMinOfferCost,
  type UpstreamCallStats,
  type WalletTotals,
} from './admin-stats-store.js';
export {
  AdjustmentReferenceReused,
  type AdjustResult,
  type OrderFilter,
  type PageArgs,
} from './admin-store.js';
export { ApiKeyNotFound, type ApiKeyStore, type AuthenticatedKey } from './api-key-store.js';
export type { AuditActor, AuditFilter, AuditInput, AuditStore } from './audit-store.js';
export type { Page } from './page-cursor.js';
export {
  MAX_ENDPOINTS_PER_USER,
  WebhookDeliveryNotFound,
  WebhookEndpointNotFound,
  type AttemptOutcome,
  type DueDelivery,
  type MessagesOfEvent,
  type WebhookStore,
} from './webhook-store.js';
export { AUDIT_ACTIONS, type AuditAction } from './entities/audit-entry.entity.js';
export {
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookDeliveryStatus,
} from './entities/webhook-delivery.entity.js';
export type { StoredOrderEventType } from './entities/order-event.entity.js';
export type {
  ApiKeyEntity,
  AuditEntryEntity,
  LedgerEntryEntity,
  OrderEntity,
  OrderEventEntity,
  UserEntity,
  WalletEntity,
  WebhookDeliveryEntity,
  WebhookEndpointEntity,
} from './entities/index.js';
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
