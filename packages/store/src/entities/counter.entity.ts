import { Column, Entity, PrimaryColumn } from 'typeorm';
import { minorUnits } from '../columns.js';

/** Named integers shared by every process: the webhook fan-out cursor (the last order event
 *  turned into deliveries) and the auth generation (bumped by every disable or revocation, so
 *  each server drops its API-key cache and re-checks its open WebSockets). */
@Entity({ name: 'counters' })
export class CounterEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'bigint', transformer: minorUnits })
  value!: bigint;
}
