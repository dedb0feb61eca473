import type { LedgerEntryKind } from '@numbroker/core';
import { ForeignKey, Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { OrderEntity } from './order.entity.js';
import { WalletEntity } from './wallet.entity.js';
import { epochMillis, minorUnits } from '../columns.js';

/**
 * Every movement of a wallet. The unique (order_id, kind) makes "one HOLD, at most one
 * CAPTURE / RELEASE / REFUND per order" a database fact (credits have no order: NULLs never
 * collide). The unique (wallet_id, kind, reference) makes an admin credit idempotent per
 * reference.
 */
@Entity({ name: 'ledger_entries' })
@Index('UQ_ledger_entries_order_kind', ['orderId', 'kind'], { unique: true })
@Index('UQ_ledger_entries_wallet_kind_reference', ['walletId', 'kind', 'reference'], {
  unique: true,
})
@Check('CHK_ledger_entries_amount_positive', 'amount_minor > 0')
export class LedgerEntryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @ForeignKey(() => WalletEntity)
  @Column({ name: 'wallet_id', type: 'varchar', length: 36 })
  walletId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: LedgerEntryKind;

  /** Always positive; the kind gives the sign (core's signedAvailableDelta / signedHeldDelta). */
  @Column({ name: 'amount_minor', type: 'bigint', transformer: minorUnits })
  amountMinor!: bigint;

  /** The hold this entry opens or settles; null for a credit. */
  @ForeignKey(() => OrderEntity)
  @Column({ name: 'order_id', type: 'varchar', length: 36, nullable: true })
  orderId!: string | null;

  @Column({ type: 'varchar', length: 200 })
  reference!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;
}
