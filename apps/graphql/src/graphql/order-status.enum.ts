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

registerEnumType(OrderStatusEnum, {
  name: 'OrderStatus',
  description: 'Where an order is in its lifecycle.',
  valuesConfig: {
    PENDING: { description: 'Being bought upstream; the price is held.' },
    ACTIVE: { description: 'The number is yours; waiting for an SMS. The price is held.' },
    CODE_RECEIVED: { description: 'A code arrived; the price is charged. More SMS may follow.' },
    COMPLETED: { description: 'Closed after a code (finishOrder).' },
    CANCELLED: { description: 'Cancelled before any code; the hold was released.' },
    EXPIRED: { description: 'No code before expiresAt; cancelled upstream, the hold released.' },
    FAILED: { description: 'No provider could sell; the hold was released (see failureReason).' },
    REPORTED: {
      description: 'The code was wrong (reportOrder); refunded where the upstream refunds.',
    },
  },
});
