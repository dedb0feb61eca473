import type { OrderRecord, SmsRecord } from '../services/records.js';
import { MoneyType } from './money.type.js';
import { failureCodeOf } from './order-failure.enum.js';
import { OrderStatusEnum } from './order-status.enum.js';
import { OrderType, SmsType } from './order.type.js';

export function toOrderType(order: OrderRecord): OrderType {
  return Object.assign(new OrderType(), {
    id: order.id,
    status: OrderStatusEnum[order.status],
    service: order.service,
    country: order.country,
    provider: order.providerId ?? '',
    operator: order.operator,
    phoneNumber: order.phoneNumber,
    price: MoneyType.from(order.price),
    createdAt: order.createdAt.toISOString(),
    expiresAt: order.expiresAt.toISOString(),
    failureReason: order.failureReason,
    failureCode: failureCodeOf(order.failureReason),
  });
}

export function toSmsType(sms: SmsRecord): SmsType {
  return Object.assign(new SmsType(), {
    code: sms.code,
    text: sms.text,
    receivedAt: sms.receivedAt.toISOString(),
  });
}
