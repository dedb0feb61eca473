export const ORDER_STATUSES = [
  'PENDING',
  'ACTIVE',
  'CODE_RECEIVED',
  'COMPLETED',
  'CANCELLED',
  'EXPIRED',
  'FAILED',
  'REPORTED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** States no command moves out of. */
export const TERMINAL_STATUSES: readonly OrderStatus[] = [
  'COMPLETED',
  'CANCELLED',
  'EXPIRED',
  'FAILED',
  'REPORTED',
];

/** States the worker still has to poll upstream for (a code may arrive, or the TTL run out). */
export const OPEN_STATUSES: readonly OrderStatus[] = ['PENDING', 'ACTIVE', 'CODE_RECEIVED'];

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);
}

export function isTerminalStatus(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
