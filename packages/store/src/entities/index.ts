import { ApiKeyEntity } from './api-key.entity.js';
import { AuditEntryEntity } from './audit-entry.entity.js';
import { CounterEntity } from './counter.entity.js';
import { WebhookDeliveryEntity } from './webhook-delivery.entity.js';
import { WebhookEndpointEntity } from './webhook-endpoint.entity.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';
import { LedgerEntryEntity } from './ledger-entry.entity.js';
import { OfferEntity } from './offer.entity.js';
import { OrderEventEntity } from './order-event.entity.js';
import { OrderEntity } from './order.entity.js';
import { ProviderStateEntity } from './provider-state.entity.js';
import { SmsMessageEntity } from './sms-message.entity.js';
import { UpstreamAttemptEntity } from './upstream-attempt.entity.js';
import { UserEntity } from './user.entity.js';
import { WalletEntity } from './wallet.entity.js';

export {
  ApiKeyEntity,
  AuditEntryEntity,
  CounterEntity,
  WebhookDeliveryEntity,
  WebhookEndpointEntity,
  IdempotencyKeyEntity,
  LedgerEntryEntity,
  OfferEntity,
  OrderEntity,
  OrderEventEntity,
  ProviderStateEntity,
  SmsMessageEntity,
  UpstreamAttemptEntity,
  UserEntity,
  WalletEntity,
};
export type { StoredOrderEventType } from './order-event.entity.js';
export type { UpstreamAttemptOutcome } from './upstream-attempt.entity.js';
export { AUDIT_ACTIONS, type AuditAction } from './audit-entry.entity.js';
export {
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookDeliveryStatus,
} from './webhook-delivery.entity.js';

export const ENTITIES = [
  UserEntity,
  WalletEntity,
  LedgerEntryEntity,
  OrderEntity,
  SmsMessageEntity,
  OrderEventEntity,
  UpstreamAttemptEntity,
  OfferEntity,
  ProviderStateEntity,
  IdempotencyKeyEntity,
  ApiKeyEntity,
  AuditEntryEntity,
  CounterEntity,
  WebhookEndpointEntity,
  WebhookDeliveryEntity,
];
