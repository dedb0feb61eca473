import { Field, ID, ObjectType } from 'type-graphql';
import { MoneyType } from './money.type.js';
import { OrderEventTypeEnum } from './order-event-type.enum.js';
import { OrderFailureCodeEnum } from './order-failure.enum.js';
import { OrderStatusEnum } from './order-status.enum.js';

@ObjectType('Sms', { description: 'One SMS received for an order.' })
export class SmsType {
  @Field(() => String, { nullable: true, description: 'The code found in it, if any.' })
  code!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The whole text, where the provider gives it.',
  })
  text!: string | null;

  @Field({ description: 'ISO 8601' })
  receivedAt!: string;
}

/** `messages` and `smsCode` are resolved per order through a DataLoader (order.resolver.ts). */
@ObjectType('Order', {
  description:
    'A rented number for one service. PENDING (being bought) → ACTIVE (number given, price held) → CODE_RECEIVED (price charged) → COMPLETED; or CANCELLED / EXPIRED / FAILED (hold released), REPORTED (refunded where the upstream refunds).',
})
export class OrderType {
  @Field(() => ID, { description: 'The order id.' })
  id!: string;

  @Field(() => OrderStatusEnum, { description: 'Where the order is in its lifecycle.' })
  status!: OrderStatusEnum;

  @Field({ description: 'The service slug.' })
  service!: string;

  @Field({ description: 'ISO 3166-1 alpha-2' })
  country!: string;

  @Field({ description: 'The configured provider id that sold the number.' })
  provider!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The mobile operator of the offer bought, where the provider names one.',
  })
  operator!: string | null;

  @Field(() => String, { nullable: true, description: 'E.164, once the provider gave one.' })
  phoneNumber!: string | null;

  @Field(() => MoneyType, { description: 'What the wallet is charged when a code arrives.' })
  price!: MoneyType;

  @Field({ description: 'ISO 8601' })
  createdAt!: string;

  @Field({ description: 'ISO 8601: no code by then and the order expires.' })
  expiresAt!: string;

  @Field(() => String, { nullable: true, description: 'Why the order failed, when it did.' })
  failureReason!: string | null;

  @Field(() => OrderFailureCodeEnum, {
    nullable: true,
    description: 'Why the order failed, as a code.',
  })
  failureCode!: OrderFailureCodeEnum | null;
}

@ObjectType('OrderEdge', { description: 'An order with its cursor.' })
export class OrderEdgeType {
  @Field({ description: 'Pass as `after` to continue after this order.' })
  cursor!: string;

  @Field(() => OrderType, { description: 'The order.' })
  node!: OrderType;
}

@ObjectType('PageInfo', { description: 'Relay cursor-connection page information.' })
export class PageInfoType {
  @Field({ description: 'More items follow this page: pass `endCursor` as `after`.' })
  hasNextPage!: boolean;

  @Field({
    description:
      'Items come before this page (this page was asked for with `after`). Lists here page forward only.',
  })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the first item of the page.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'The cursor of the last item of the page.' })
  endCursor!: string | null;

  /** From a page's flags and its items' cursors, in order. */
  static of(
    page: { hasNextPage: boolean; hasPreviousPage: boolean },
    cursors: string[],
  ): PageInfoType {
    return Object.assign(new PageInfoType(), {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: cursors[0] ?? null,
      endCursor: cursors.at(-1) ?? null,
    });
  }
}

@ObjectType('OrderConnection', { description: 'A page of orders, newest first.' })
export class OrderConnectionType {
  @Field(() => [OrderEdgeType], { description: 'The orders with their cursors.' })
  edges!: OrderEdgeType[];

  @Field(() => [OrderType], { description: 'The same orders as `edges`, without cursors.' })
  nodes!: OrderType[];

  @Field(() => PageInfoType, { description: 'Where this page is.' })
  pageInfo!: PageInfoType;
}

@ObjectType('OrderUpdated', { description: 'An order changed.' })
export class OrderUpdatedType {
  @Field(() => ID, { description: 'Pass it as `after` to resume from here.' })
  eventId!: string;

  @Field(() => OrderEventTypeEnum, { description: 'What happened.' })
  type!: OrderEventTypeEnum;

  @Field(() => OrderType, { description: 'The order as it was right after this event.' })
  order!: OrderType;
}

@ObjectType('SmsReceived', { description: 'An SMS arrived for an order.' })
export class SmsReceivedType {
  @Field(() => ID, { description: 'Pass it as `after` to resume from here.' })
  eventId!: string;

  @Field(() => OrderType, { description: 'The order as it was right after this SMS.' })
  order!: OrderType;

  @Field({ description: 'The code in the SMS.' })
  code!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The whole text, where the provider gives it.',
  })
  text!: string | null;

  @Field({ description: 'ISO 8601' })
  receivedAt!: string;
}
