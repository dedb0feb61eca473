import { Field, Float, Int, ObjectType } from 'type-graphql';
import { MoneyType } from './money.type.js';
import { OrderStatusEnum } from './order-status.enum.js';

@ObjectType('OrderStatusCount', { description: 'How many orders are in one status.' })
export class OrderStatusCountType {
  @Field(() => OrderStatusEnum, { description: 'The status counted.' })
  status!: OrderStatusEnum;

  @Field(() => Int, { description: 'Orders in it.' })
  count!: number;
}

@ObjectType('SalesBucket', {
  description:
    'Orders and money of one UTC day, provider or service. Revenue is what wallets were charged and kept (captured, not refunded); margin is revenue minus the upstream cost of those orders.',
})
export class SalesBucketType {
  @Field({ description: 'The day (YYYY-MM-DD, UTC), provider id or service slug.' })
  key!: string;

  @Field(() => Int, { description: 'Orders created, whatever became of them.' })
  orders!: number;

  @Field(() => Int, { description: 'Orders charged and not refunded.' })
  sold!: number;

  @Field(() => MoneyType, { description: 'Charged and kept, in the platform currency.' })
  revenue!: MoneyType;

  @Field(() => MoneyType, {
    description: 'What the sold orders cost upstream, converted to the platform currency.',
  })
  upstreamCost!: MoneyType;

  @Field(() => MoneyType, { description: 'Revenue minus upstream cost; may be negative.' })
  margin!: MoneyType;

  @Field(() => Int, {
    description:
      'Sold orders whose upstream currency has no exchange rate in the config: left out of upstreamCost and margin.',
  })
  unconvertedCosts!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'Of the orders that ended with or without a code, the share (0 to 1) that got one; null when none ended.',
  })
  codeRate!: number | null;
}

@ObjectType('ProviderHealth', {
  description:
    'One configured provider account as the operator watches it: breaker, balance, calls.',
})
export class ProviderHealthType {
  @Field({ description: 'The configured provider id.' })
  id!: string;

  @Field({ description: 'The adapter kind (smsactivate, smsman, ...).' })
  kind!: string;

  @Field({ description: 'Routing may use it now: its breaker is not open.' })
  healthy!: boolean;

  @Field({ description: 'Consecutive upstream faults opened the circuit breaker.' })
  breakerOpen!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'ISO 8601: when an open breaker lets a call through again.',
  })
  breakerOpenUntil!: string | null;

  @Field(() => Int, { description: 'Upstream faults in a row (reset by a success).' })
  consecutiveFailures!: number;

  @Field(() => MoneyType, {
    nullable: true,
    description: 'Our balance at the upstream, last seen, in its currency.',
  })
  balance!: MoneyType | null;

  @Field(() => String, { nullable: true, description: 'ISO 8601: when the balance was last seen.' })
  balanceUpdatedAt!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Why the balance is an alarm (used up, below the cheapest offer in stock, or less than a day of sales at the recent rate); null when it is not, or unknown.',
  })
  lowBalance!: string | null;

  @Field(() => MoneyType, {
    nullable: true,
    description: "The cheapest offer in stock, in the upstream's currency.",
  })
  cheapestOffer!: MoneyType | null;

  @Field(() => MoneyType, {
    nullable: true,
    description: "Average upstream cost per day over the window, in the upstream's currency.",
  })
  dailySpend!: MoneyType | null;

  @Field(() => Int, { description: 'Orders open at this provider now.' })
  activeOrders!: number;

  @Field(() => Int, { description: 'Calls to this upstream in the last 24 hours.' })
  calls!: number;

  @Field(() => Int, { description: 'Of those, the ones that failed.' })
  errors!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Mean call latency over the last 24 hours (ms).',
  })
  avgLatencyMs!: number | null;

  @Field(() => Int, { nullable: true, description: 'Slowest call over the last 24 hours (ms).' })
  maxLatencyMs!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Share (0 to 1) of its ended orders in the window that got a code.',
  })
  codeRate!: number | null;

  @Field(() => String, { nullable: true, description: 'The last upstream error, secret-free.' })
  lastError!: string | null;
}

@ObjectType('AdminStats', { description: "The operator's overview of the last `days` UTC days." })
export class AdminStatsType {
  @Field({ description: 'ISO 8601: the start of the first day counted (UTC midnight).' })
  since!: string;

  @Field(() => Int, { description: 'Days counted, today included.' })
  days!: number;

  @Field({ description: 'The platform currency every amount here is in (balances excepted).' })
  currency!: string;

  @Field(() => [OrderStatusCountType], {
    description: 'Orders created today (UTC), by status; every status listed.',
  })
  ordersByStatusToday!: OrderStatusCountType[];

  @Field(() => SalesBucketType, { description: 'Today (UTC).' })
  today!: SalesBucketType;

  @Field(() => SalesBucketType, { description: 'The whole window.' })
  total!: SalesBucketType;

  @Field(() => MoneyType, { description: 'Held in wallets for orders that have no code yet.' })
  moneyHeld!: MoneyType;

  @Field(() => MoneyType, {
    description: "Customers' spendable balances added up: what we owe in service.",
  })
  customerBalances!: MoneyType;

  @Field(() => [SalesBucketType], {
    description: 'One bucket per day, oldest first, empty days included.',
  })
  daily!: SalesBucketType[];

  @Field(() => [SalesBucketType], { description: 'Per provider, highest revenue first.' })
  byProvider!: SalesBucketType[];

  @Field(() => [SalesBucketType], { description: 'Per service, highest revenue first.' })
  byService!: SalesBucketType[];

  @Field(() => [ProviderHealthType], { description: 'Every configured provider, in config order.' })
  providers!: ProviderHealthType[];
}
