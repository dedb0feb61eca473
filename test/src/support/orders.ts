import { Money } from '@numbroker/core';
import { PLATFORM_CURRENCY, type Stack } from './stack.js';

/** The order fields the tests read. */
export const ORDER_FIELDS = `
  id status service country provider phoneNumber smsCode failureReason
  price { amount currency }
  messages { code text receivedAt }
  createdAt expiresAt
`;

export interface OrderView {
  id: string;
  status: string;
  service: string;
  country: string;
  provider: string;
  phoneNumber: string | null;
  smsCode: string | null;
  failureReason: string | null;
  price: { amount: string; currency: string };
  messages: Array<{ code: string | null; text: string | null; receivedAt: string }>;
  createdAt: string;
  expiresAt: string;
}

export interface Wallet {
  balance: Money;
  held: Money;
}

export const BUY_NUMBER = `mutation($input: BuyNumberInput!) { buyNumber(input: $input) { ${ORDER_FIELDS} } }`;
export const ORDER = `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;
export const CANCEL_ORDER = `mutation($id: ID!) { cancelOrder(id: $id) { ${ORDER_FIELDS} } }`;
export const FINISH_ORDER = `mutation($id: ID!) { finishOrder(id: $id) { ${ORDER_FIELDS} } }`;
export const ORDER_UPDATED = `subscription($id: ID, $after: ID) {
  orderUpdated(id: $id, after: $after) { eventId type order { id status smsCode } }
}`;
export const SMS_RECEIVED = `subscription($orderId: ID, $after: ID) {
  smsReceived(orderId: $orderId, after: $after) { eventId code text receivedAt order { id status smsCode } }
}`;

export interface OrderUpdatedEvent {
  orderUpdated: {
    eventId: string;
    type: string;
    order: { id: string; status: string; smsCode: string | null };
  };
}
export interface SmsReceivedEvent {
  smsReceived: {
    eventId: string;
    code: string;
    text: string | null;
    receivedAt: string;
    order: { id: string; status: string; smsCode: string | null };
  };
}

export async function buyNumber(
  stack: Stack,
  apiKey: string,
  input: Record<string, unknown>,
  serverIndex = 0,
): Promise<OrderView> {
  const data = await stack.gql<{ buyNumber: OrderView }>(
    apiKey,
    BUY_NUMBER,
    { input },
    serverIndex,
  );
  return data.buyNumber;
}

export async function getOrder(stack: Stack, apiKey: string, id: string): Promise<OrderView> {
  const data = await stack.gql<{ order: OrderView | null }>(apiKey, ORDER, { id });
  if (!data.order) throw new Error(`order ${id} not found`);
  return data.order;
}

export async function walletOf(stack: Stack, apiKey: string): Promise<Wallet> {
  const data = await stack.gql<{
    me: {
      balance: { amount: string; currency: string };
      held: { amount: string; currency: string };
    };
  }>(apiKey, '{ me { balance { amount currency } held { amount currency } } }');
  return {
    balance: Money.parse(data.me.balance.amount, data.me.balance.currency),
    held: Money.parse(data.me.held.amount, data.me.held.currency),
  };
}

export function irt(amount: string): Money {
  return Money.parse(amount, PLATFORM_CURRENCY);
}

export function priceOf(order: OrderView): Money {
  return Money.parse(order.price.amount, order.price.currency);
}
