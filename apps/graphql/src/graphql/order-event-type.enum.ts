import { registerEnumType } from 'type-graphql';

/** The outbox event types (store's StoredOrderEventType); a test keeps the two equal. */
export enum OrderEventTypeEnum {
  ORDER_CREATED = 'ORDER_CREATED',
  ORDER_ACTIVE = 'ORDER_ACTIVE',
  ORDER_FAILED = 'ORDER_FAILED',
  SMS_RECEIVED = 'SMS_RECEIVED',
  ORDER_CANCELLED = 'ORDER_CANCELLED',
  ORDER_EXPIRED = 'ORDER_EXPIRED',
  ORDER_COMPLETED = 'ORDER_COMPLETED',
  ORDER_REPORTED = 'ORDER_REPORTED',
  ANOTHER_SMS_REQUESTED = 'ANOTHER_SMS_REQUESTED',
}

registerEnumType(OrderEventTypeEnum, {
  name: 'OrderEventType',
  description: 'What happened to an order (OrderUpdated.type).',
  valuesConfig: {
    ORDER_CREATED: { description: 'The order was made PENDING and its price held.' },
    ORDER_ACTIVE: { description: 'The number was bought: ACTIVE.' },
    ORDER_FAILED: { description: 'No provider could sell: FAILED, the hold released.' },
    SMS_RECEIVED: { description: 'An SMS arrived (the first one with a code charges the price).' },
    ORDER_CANCELLED: { description: 'Cancelled: the hold released.' },
    ORDER_EXPIRED: { description: 'Expired without a code: the hold released.' },
    ORDER_COMPLETED: { description: 'Finished after a code.' },
    ORDER_REPORTED: { description: 'The code was reported wrong.' },
    ANOTHER_SMS_REQUESTED: { description: 'Another SMS was asked for on the same number.' },
  },
});
