import { registerEnumType } from 'type-graphql';

/** Mirrors core's ORDER_STATUSES; a test keeps the two equal. */
export enum OrderStatusEnum {
  PENDING = 'PENDING',
  ACTIVE = 'ACTIVE',
  CODE_RECEIVED = 'CODE_RECEIVED',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
  EXPIRED = 'EXPIRED',
  FAILED = 'FAILED',
  REPORTED = 'REPORTED',
}

registerEnumType(OrderStatusEnum, { name: 'OrderStatus' });
