import { BadUserInput } from '@numbroker/core';

/** An opaque cursor for lists ordered by (created_at, id), newest first. */
export interface PageCursor {
  createdAtMs: string;
  id: string;
}

export function encodePageCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.getTime()}:${row.id}`, 'utf8').toString('base64url');
}

export function decodePageCursor(cursor: string): PageCursor {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,16}):([A-Za-z0-9_-]{1,64})$/.exec(text);
  if (!match) throw new BadUserInput('INVALID_CURSOR', `"${cursor}" is not a valid cursor`);
  return { createdAtMs: match[1]!, id: match[2]! };
}

/** `first` checked once for every list: 1 to 100, default 20. */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > 100) {
    throw new BadUserInput('INVALID_PAGE_SIZE', `first must be between 1 and 100, got ${size}`);
  }
  return size;
}

/** A page of rows plus what Relay's PageInfo needs. */
export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  /** True when `after` was given: there are rows before this page. */
  hasPreviousPage: boolean;
  cursorOf(item: T): string;
}

/** Rows were read with LIMIT first + 1: the extra one only says there is a next page. */
export function toPage<T extends { createdAt: Date; id: string }>(
  rows: T[],
  first: number,
  after: string | null | undefined,
): Page<T> {
  return {
    items: rows.slice(0, first),
    hasNextPage: rows.length > first,
    hasPreviousPage: Boolean(after),
    cursorOf: encodePageCursor,
  };
}

/** The condition "after the cursor" for a (created_at DESC, id DESC) list, with its
 *  parameters, for a query builder's andWhere. */
export function afterCursor(
  alias: string,
  cursor: PageCursor,
): [string, { cursorCreatedAt: string; cursorId: string }] {
  return [
    `(${alias}.created_at < CAST(:cursorCreatedAt AS BIGINT) OR (${alias}.created_at = CAST(:cursorCreatedAt AS BIGINT) AND ${alias}.id < :cursorId))`,
    { cursorCreatedAt: cursor.createdAtMs, cursorId: cursor.id },
  ];
}
