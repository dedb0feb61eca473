import type { ValueTransformer } from 'typeorm';

/**
 * Money and timestamps are integers in both databases. Postgres hands a `bigint` back as a
 * string, node-sqlite3 as a JS number; and node-sqlite3 binds a JS `bigint` parameter as NULL
 * without a word. So values go in as decimal strings and come out through `toBigInt`.
 */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new RangeError(`expected an integer column value, got ${String(value)}`);
}

/** The largest amount (minor units) a wallet or ledger column holds exactly in both databases:
 *  node-sqlite3 returns integers as JS numbers, exact only up to 2^53 − 1. A credit or
 *  adjustment that would take a balance past it is refused (BAD_USER_INPUT), never clamped. */
export const MAX_EXACT_MINOR = BigInt(Number.MAX_SAFE_INTEGER);

/** A parameter for an integer column: never a JS bigint (see above). */
export function intParam(value: bigint | number): string {
  return typeof value === 'bigint' ? value.toString() : String(Math.trunc(value));
}

/** bigint minor units <-> integer column. */
export const minorUnits: ValueTransformer = {
  to: (value: unknown) =>
    value === null || value === undefined ? value : intParam(value as bigint | number),
  from: (value: unknown) => (value === null || value === undefined ? value : toBigInt(value)),
};

/** Date <-> epoch milliseconds in an integer column: both databases compare and order them
 *  the same way, and no time zone setting of a server or session can shift them. */
export const epochMillis: ValueTransformer = {
  to: (value: unknown) => {
    if (value === null || value === undefined) return value;
    if (value instanceof Date) return String(value.getTime());
    // TypeORM passes FindOperators through here too; leave them alone.
    return value;
  },
  from: (value: unknown) =>
    value === null || value === undefined ? value : new Date(Number(toBigInt(value))),
};

/** SQLite stores booleans as 0/1. */
export const booleanValue: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) => (value === null || value === undefined ? value : Boolean(value)),
};

export function millis(date: Date): string {
  return String(date.getTime());
}
