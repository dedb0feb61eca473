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
];
