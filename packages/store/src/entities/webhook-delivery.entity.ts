import { ForeignKey, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { WebhookEndpointEntity } from './webhook-endpoint.entity.js';
import { epochMillis } from '../columns.js';

export const WEBHOOK_DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/**
 * One event for one endpoint: the message whose id is the `webhook-id` header on every attempt.
 * The body is fixed when the delivery is made, so every retry sends the same bytes. Unique
 * (endpoint, event, type): the fan-out may run twice over an event (a crash before its cursor
 * moved) and still make one delivery.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('UQ_webhook_deliveries_endpoint_event_type', ['endpointId', 'eventId', 'type'], {
  unique: true,
})
@Index('IDX_webhook_deliveries_due', ['status', 'nextAttemptAt'])
@Index('IDX_webhook_deliveries_endpoint_created', ['endpointId', 'createdAt'])
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @ForeignKey(() => WebhookEndpointEntity)
  @Column({ name: 'endpoint_id', type: 'varchar', length: 36 })
  endpointId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  /** The order event (outbox id) this delivery announces. */
  @Column({ name: 'event_id', type: 'integer' })
  eventId!: number;

  @Column({ type: 'varchar', length: 32 })
  type!: string;

  @Column({ type: 'text' })
  payload!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: WebhookDeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** Failures since the last (re)start of the schedule: picks the next delay. */
  @Column({ name: 'schedule_step', type: 'integer', default: 0 })
  scheduleStep!: number;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column({ name: 'next_attempt_at', type: 'bigint', nullable: true, transformer: epochMillis })
  nextAttemptAt!: Date | null;

  @Column({ name: 'lease_owner', type: 'varchar', length: 128, nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_until', type: 'bigint', nullable: true, transformer: epochMillis })
  leaseUntil!: Date | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt!: Date;

  @Column({ name: 'delivered_at', type: 'bigint', nullable: true, transformer: epochMillis })
  deliveredAt!: Date | null;
}
