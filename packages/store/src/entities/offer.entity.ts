import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillis, minorUnits } from '../columns.js';

/** The catalog as last synced from each provider. `operator` is '' for "any operator" so the
 *  unique key works (NULLs never collide in a unique index). */
@Entity({ name: 'offers' })
@Index('UQ_offers_product', ['providerId', 'service', 'country', 'operator', 'ref'], {
  unique: true,
})
@Index('IDX_offers_service_country', ['service', 'country'])
export class OfferEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'provider_id', type: 'varchar', length: 64 })
  providerId!: string;

  @Column({ type: 'varchar', length: 64 })
  service!: string;

  @Column({ type: 'varchar', length: 8 })
  country!: string;

  @Column({ type: 'varchar', length: 64, default: '' })
  operator!: string;

  @Column({ name: 'cost_minor', type: 'bigint', transformer: minorUnits })
  costMinor!: bigint;

  @Column({ name: 'cost_currency', type: 'varchar', length: 8 })
  costCurrency!: string;

  @Column({ type: 'integer' })
  stock!: number;

  @Column({ type: 'varchar', length: 128 })
  ref!: string;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt!: Date;
}
