import { randomUUID } from 'node:crypto';
import { millis } from '../columns.js';
import type { EntityManager } from 'typeorm';
import { sql, type Database } from '../database.js';
import {
  UpstreamAttemptEntity,
  type UpstreamAttemptOutcome,
} from '../entities/upstream-attempt.entity.js';

export type { UpstreamAttemptOutcome };

export interface AttemptInput {
  orderId?: string | null;
  providerId: string;
  operation: string;
  outcome: UpstreamAttemptOutcome;
  errorCode?: string | null;
  durationMs: number;
  now?: Date;
}

export interface AttemptRecord {
  orderId: string | null;
  providerId: string;
  operation: string;
  outcome: UpstreamAttemptOutcome;
  errorCode: string | null;
  durationMs: number;
  createdAt: Date;
}

/** The columns of an upstream_attempts INSERT, in the order every writer lists them. */
export const UPSTREAM_ATTEMPT_COLUMNS = `(id, order_id, provider_id, operation, outcome, error_code,
  duration_ms, created_at)`;

/** Many attempt rows in one transaction (one INSERT per 100 rows). */
export async function recordAttempts(db: Database, inputs: readonly AttemptInput[]): Promise<void> {
  if (inputs.length === 0) return;
  const rows = inputs.map((input) => ({
    id: randomUUID(),
    orderId: input.orderId ?? null,
    providerId: input.providerId,
    operation: input.operation,
    outcome: input.outcome,
    errorCode: input.errorCode ?? null,
    durationMs: Math.max(0, Math.round(input.durationMs)),
    createdAt: input.now ?? new Date(),
  }));
  // Raw SQL, 8 parameters a row: TypeORM's insert builder cost more than the statement.
  await db.transaction(async (tx) => {
    for (let start = 0; start < rows.length; start += 100) {
      const chunk = rows.slice(start, start + 100);
      await sql(
        tx,
        `INSERT INTO upstream_attempts ${UPSTREAM_ATTEMPT_COLUMNS}
         VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, CAST(? AS BIGINT))').join(', ')}`,
        chunk.flatMap((row) => [
          row.id,
          row.orderId,
          row.providerId,
          row.operation,
          row.outcome,
          row.errorCode,
          row.durationMs,
          millis(row.createdAt),
        ]),
      );
    }
  });
}

/**
 * Written before each upstream buy attempt, durably: the order names the provider it is being
 * bought from now (after a failover, not the first one tried) and an attempt row says when.
 * A crash between the upstream's answer and transaction 2 leaves the reconciler both.
 */
export async function recordBuyAttempt(
  db: Database,
  orderId: string,
  providerId: string,
  now: Date = new Date(),
  operator: string | null = null,
): Promise<void> {
  await db.transaction(async (tx) => {
    // The operator asked for now too: the reconciler matches a listed activation by it.
    await sql(
      tx,
      `UPDATE orders SET provider_id = ?, "operator" = ?, updated_at = CAST(? AS BIGINT)
       WHERE id = ? AND status = 'PENDING'`,
      [providerId, operator, millis(now), orderId],
    );
    await insertBuyStartedInTx(tx, orderId, providerId, now);
  });
}

/** The 'buy-started' row of an attempt at `providerId` (raw SQL: TypeORM's insert builds its
 *  query anew on every call). Transaction 1 writes the first one (createPendingOrder). */
export async function insertBuyStartedInTx(
  tx: EntityManager,
  orderId: string,
  providerId: string,
  now: Date,
): Promise<void> {
  await sql(
    tx,
    `INSERT INTO upstream_attempts ${UPSTREAM_ATTEMPT_COLUMNS}
     VALUES (?, ?, ?, 'buy-started', 'OK', NULL, 0, CAST(? AS BIGINT))`,
    [randomUUID(), orderId, providerId, millis(now)],
  );
}

/** A buy attempt at a provider whose order has no activation of its own: what was asked (the
 *  order's service, country and operator) and when the attempt started. */
export interface OpenBuyAttempt {
  orderId: string;
  orderStatus: string;
  service: string;
  country: string;
  operator: string | null;
  startedAt: Date;
}

/**
 * The buy attempts at `providerId` since `since` whose order owns no upstream activation (still
 * PENDING, or ended without one): every buy an unowned activation there could have come from.
 * The reconciler adopts an activation only when exactly one of them matches it. Newest first,
 * at most `limit` (a caller that gets `limit` rows cannot know it saw every rival).
 */
export async function openBuyAttempts(
  db: Database,
  providerId: string,
  since: Date,
  limit: number,
): Promise<OpenBuyAttempt[]> {
  const result = await db.read((m) =>
    sql(
      m,
      `SELECT a.order_id, a.created_at, o.status, o.service, o.country, o."operator"
       FROM upstream_attempts a JOIN orders o ON o.id = a.order_id
       WHERE a.provider_id = ? AND a.operation = 'buy-started'
         AND a.created_at >= CAST(? AS BIGINT) AND o.upstream_ref IS NULL
       ORDER BY a.created_at DESC LIMIT ${Math.max(1, Math.trunc(limit))}`,
      [providerId, millis(since)],
    ),
  );
  return result.rows.map((row) => ({
    orderId: String(row.order_id),
    orderStatus: String(row.status),
    service: String(row.service),
    country: String(row.country),
    operator: typeof row.operator === 'string' ? row.operator : null,
    startedAt: new Date(Number(row.created_at)),
  }));
}

/** How far back a remembered orphan sighting counts (longer than any activation lives). */
const SIGHTING_LOOK_BACK_MS = 24 * 3_600_000;

/**
 * When each of these upstream activations (unowned at `providerId`) was first seen by any
 * worker: an 'orphan-seen' row per activation, written now for those seen for the first time,
 * so a restarted worker does not start an orphan's age again. For listings that do not say when
 * an activation was created; one row per orphan, looked up only in the last 24 h.
 */
export async function orphanSightings(
  db: Database,
  providerId: string,
  refs: readonly string[],
  now: Date,
): Promise<Map<string, Date>> {
  const codeOf = (ref: string) => `orphan ${ref}`.slice(0, 64);
  const wanted = new Map(refs.map((ref) => [codeOf(ref), ref]));
  const seen = new Map<string, Date>();
  if (wanted.size === 0) return seen;
  await db.transaction(async (tx) => {
    const codes = [...wanted.keys()];
    const result = await sql(
      tx,
      `SELECT error_code, MIN(created_at) AS first FROM upstream_attempts
       WHERE provider_id = ? AND operation = 'orphan-seen'
         AND created_at >= CAST(? AS BIGINT) AND error_code IN (${codes.map(() => '?').join(', ')})
       GROUP BY error_code`,
      [providerId, millis(new Date(now.getTime() - SIGHTING_LOOK_BACK_MS)), ...codes],
    );
    for (const row of result.rows) {
      const ref = wanted.get(String(row.error_code));
      if (ref !== undefined) seen.set(ref, new Date(Number(row.first)));
    }
    const fresh = refs.filter((ref) => !seen.has(ref));
    for (let start = 0; start < fresh.length; start += 100) {
      await tx.insert(
        UpstreamAttemptEntity,
        fresh.slice(start, start + 100).map((ref) => ({
          id: randomUUID(),
          orderId: null,
          providerId,
          operation: 'orphan-seen',
          outcome: 'OK' as const,
          errorCode: codeOf(ref),
          durationMs: 0,
          createdAt: now,
        })),
      );
    }
    for (const ref of fresh) seen.set(ref, now);
  });
  return seen;
}

export interface UpstreamDebtInput {
  providerId: string;
  orderId: string;
  upstreamRef: string;
  /** false: expired here while its upstream cancel kept failing (the activation may still
   *  cost us upstream); true: a later cancel went through. */
  settled: boolean;
  now: Date;
}

/** An upstream debt, as a row of the attempt log the operator reads ('upstream-debt' ERROR,
 *  then 'debt-settled' OK), naming the activation. */
export function recordUpstreamDebt(db: Database, input: UpstreamDebtInput): Promise<void> {
  return recordAttempts(db, [
    {
      orderId: input.orderId,
      providerId: input.providerId,
      operation: input.settled ? 'debt-settled' : 'upstream-debt',
      outcome: input.settled ? 'OK' : 'ERROR',
      errorCode: `debt ${input.upstreamRef}`.slice(0, 64),
      durationMs: 0,
      now: input.now,
    },
  ]);
}

/** The attempts recorded since `since`, oldest first (audit, tests). */
export async function attemptsSince(db: Database, since: Date): Promise<AttemptRecord[]> {
  const rows = await db.read((m) =>
    m
      .createQueryBuilder(UpstreamAttemptEntity, 'a')
      .where('a.created_at >= CAST(:since AS BIGINT)', { since: millis(since) })
      .orderBy('a.created_at', 'ASC')
      .getMany(),
  );
  return rows.map((row) => ({
    orderId: row.orderId,
    providerId: row.providerId,
    operation: row.operation,
    outcome: row.outcome,
    errorCode: row.errorCode,
    durationMs: row.durationMs,
    createdAt: row.createdAt,
  }));
}
