import { randomUUID } from 'node:crypto';
import { Money } from '@numbroker/core';
import { In } from 'typeorm';
import { intParam, millis } from './columns.js';
import { sql, type Database } from './database.js';
import { OfferEntity } from './entities/offer.entity.js';
import type { OfferView } from './views.js';

function toOfferView(offer: OfferEntity): OfferView {
  return {
    providerId: offer.providerId,
    service: offer.service,
    country: offer.country,
    operator: offer.operator === '' ? null : offer.operator,
    cost: Money.ofMinor(offer.costMinor, offer.costCurrency),
    stock: offer.stock,
    ref: offer.ref,
    updatedAt: offer.updatedAt,
  };
}

/** An offer as an adapter's catalog() returns it (packages/providers Offer). */
export interface OfferInput {
  service: string;
  country: string;
  operator?: string | null;
  cost: Money;
  stock: number;
  ref: string;
}

export interface OfferQuery {
  service: string;
  country?: string | null;
  providerIds?: readonly string[];
  /** Default true: offers with no stock are left out. */
  inStockOnly?: boolean;
}

const UPSERT_BATCH = 200;

export class OfferStore {
  constructor(private readonly db: Database) {}

  /**
   * Makes `offers` the provider's whole catalog: upserts each (keyed by provider, service,
   * country, operator, ref) and deletes what the provider no longer lists, in one transaction,
   * so a reader sees the old catalog or the new one, never half of each.
   */
  async replaceProviderOffers(
    providerId: string,
    offers: readonly OfferInput[],
    now: Date = new Date(),
  ): Promise<{ upserted: number; removed: number }> {
    // One row per key (Postgres refuses to update a row twice in one statement): the cheapest.
    const unique = new Map<string, OfferInput>();
    for (const offer of offers) {
      const key = [offer.service, offer.country, offer.operator ?? '', offer.ref].join('\u0000');
      const seen = unique.get(key);
      if (!seen || offer.cost.minor < seen.cost.minor) unique.set(key, offer);
    }
    const rows = [...unique.values()];
    return this.db.transaction(async (tx) => {
      for (let start = 0; start < rows.length; start += UPSERT_BATCH) {
        const batch = rows.slice(start, start + UPSERT_BATCH);
        const values = batch
          .map(() => '(?, ?, ?, ?, ?, CAST(? AS BIGINT), ?, ?, ?, CAST(? AS BIGINT))')
          .join(', ');
        const params = batch.flatMap((offer) => [
          randomUUID(),
          providerId,
          offer.service,
          offer.country,
          offer.operator ?? '',
          intParam(offer.cost.minor),
          offer.cost.currency,
          Math.max(0, Math.trunc(offer.stock)),
          offer.ref,
          millis(now),
        ]);
        await sql(
          tx,
          `INSERT INTO offers (id, provider_id, service, country, "operator", cost_minor, cost_currency, stock, ref, updated_at)
           VALUES ${values}
           ON CONFLICT (provider_id, service, country, "operator", ref) DO UPDATE SET
             cost_minor = excluded.cost_minor, cost_currency = excluded.cost_currency,
             stock = excluded.stock, updated_at = excluded.updated_at`,
          params,
        );
      }
      // Every row of this sync carries `now`; anything else is gone from the provider's list.
      const removed = await sql(
        tx,
        'DELETE FROM offers WHERE provider_id = ? AND updated_at <> CAST(? AS BIGINT)',
        [providerId, millis(now)],
      );
      return { upserted: rows.length, removed: removed.affected };
    });
  }

  /** Offers for a service (and country), in upstream cost order within each currency; the
   *  pricing layer converts and ranks them. */
  async findOffers(query: OfferQuery): Promise<OfferView[]> {
    const rows = await this.db.read((m) => {
      const builder = m
        .createQueryBuilder(OfferEntity, 'o')
        .where('o.service = :service', { service: query.service })
        .orderBy('o.cost_minor', 'ASC')
        .addOrderBy('o.provider_id', 'ASC')
        .addOrderBy('o.id', 'ASC');
      if (query.country) builder.andWhere('o.country = :country', { country: query.country });
      if (query.inStockOnly ?? true) builder.andWhere('o.stock > 0');
      if (query.providerIds) {
        if (query.providerIds.length === 0) return Promise.resolve([]);
        builder.andWhere('o.provider_id IN (:...providerIds)', {
          providerIds: [...query.providerIds],
        });
      }
      return builder.getMany();
    });
    return rows.map(toOfferView);
  }

  async findOffer(key: {
    providerId: string;
    service: string;
    country: string;
    operator?: string | null;
    ref: string;
  }): Promise<OfferView | null> {
    const row = await this.db.read((m) =>
      m.findOne(OfferEntity, {
        where: {
          providerId: key.providerId,
          service: key.service,
          country: key.country,
          operator: key.operator ?? '',
          ref: key.ref,
        },
      }),
    );
    return row ? toOfferView(row) : null;
  }

  /** A provider's whole catalog (admin views, tests). */
  async offersOf(providerIds: readonly string[]): Promise<OfferView[]> {
    const rows = await this.db.read((m) =>
      m.find(OfferEntity, {
        where: { providerId: In([...providerIds]) },
        order: { service: 'ASC', country: 'ASC', costMinor: 'ASC' },
      }),
    );
    return rows.map(toOfferView);
  }
}
