import { Column, Entity, PrimaryColumn } from 'typeorm';
import { booleanValue, epochMillis, minorUnits } from '../columns.js';

/** Health, breaker and balance of one configured provider account, shared by every process. */
@Entity({ name: 'provider_state' })
export class ProviderStateEntity {
  @PrimaryColumn({ name: 'provider_id', type: 'varchar', length: 64 })
  providerId!: string;

  @Column({ type: 'boolean', default: true, transformer: booleanValue })
  healthy!: boolean;

  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures!: number;

  @Column({ name: 'breaker_open_until', type: 'bigint', nullable: true, transformer: epochMillis })
  breakerOpenUntil!: Date | null;

  @Column({ name: 'balance_minor', type: 'bigint', nullable: true, transformer: minorUnits })
  balanceMinor!: bigint | null;

  @Column({ name: 'balance_currency', type: 'varchar', length: 8, nullable: true })
  balanceCurrency!: string | null;

  /** An error code and short message; never a URL with a key or an upstream body. */
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt!: Date;
}
