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
