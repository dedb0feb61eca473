import { Field, ID, ObjectType } from 'type-graphql';
import { MoneyType } from './money.type.js';
import { OrderStatusEnum } from './order-status.enum.js';

@ObjectType('Sms')
export class SmsType {
  @Field(() => String, { nullable: true })
  code!: string | null;

  @Field(() => String, { nullable: true })
  text!: string | null;

  @Field({ description: 'ISO 8601' })
  receivedAt!: string;
}

/** `messages` and `smsCode` are resolved per order through a DataLoader (order.resolver.ts). */
@ObjectType('Order')
export class OrderType {
  @Field(() => ID)
  id!: string;

  @Field(() => OrderStatusEnum)
  status!: OrderStatusEnum;

  @Field()
  service!: string;

  @Field()
  country!: string;

  @Field()
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
}

@ObjectType('OrderEdge')
export class OrderEdgeType {
  @Field()
  cursor!: string;

  @Field(() => OrderType)
  node!: OrderType;
}

@ObjectType('PageInfo')
export class PageInfoType {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType('OrderConnection')
export class OrderConnectionType {
  @Field(() => [OrderEdgeType])
  edges!: OrderEdgeType[];

  @Field(() => [OrderType], { description: 'The same orders as `edges`, without cursors.' })
  nodes!: OrderType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;
}

@ObjectType('OrderUpdated')
export class OrderUpdatedType {
  @Field(() => ID, { description: 'Pass it as `after` to resume from here.' })
  eventId!: string;

  @Field({ description: 'What happened: ORDER_ACTIVE, SMS_RECEIVED, ORDER_CANCELLED, ...' })
  type!: string;

  @Field(() => OrderType)
  order!: OrderType;
}

@ObjectType('SmsReceived')
export class SmsReceivedType {
  @Field(() => ID, { description: 'Pass it as `after` to resume from here.' })
  eventId!: string;

  @Field(() => OrderType)
  order!: OrderType;

  @Field()
  code!: string;

  @Field(() => String, { nullable: true })
  text!: string | null;

  @Field({ description: 'ISO 8601' })
  receivedAt!: string;
}
