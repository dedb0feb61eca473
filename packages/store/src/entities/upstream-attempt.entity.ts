import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillis } from '../columns.js';

export type UpstreamAttemptOutcome = 'OK' | 'ERROR';

/** One row per call to an upstream (buy, status, cancel, ...): routing statistics and audit. */
@Entity({ name: 'upstream_attempts' })
@Index('IDX_upstream_attempts_provider_created', ['providerId', 'createdAt'])
@Index('IDX_upstream_attempts_order', ['orderId'])
export class UpstreamAttemptEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'order_id', type: 'varchar', length: 36, nullable: true })
  orderId!: string | null;

  @Column({ name: 'provider_id', type: 'varchar', length: 64 })
  providerId!: string;

  @Column({ type: 'varchar', length: 32 })
  operation!: string;

  @Column({ type: 'varchar', length: 16 })
  outcome!: UpstreamAttemptOutcome;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;
}
