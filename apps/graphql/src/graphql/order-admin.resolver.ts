import { convertMoney, Money, MoneyError } from '@numbroker/core';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { requireAdmin, type GraphQLContext } from './context.js';
import { MoneyType } from './money.type.js';
import { OrderType } from './order.type.js';

/** The admin's view of an order's economics. */
@Resolver(() => OrderType)
export class OrderAdminResolver {
  @FieldResolver(() => MoneyType, {
    nullable: true,
    description: 'Admin: what the upstream charged, in its own currency; null before a purchase.',
  })
  async upstreamCost(
    @Root() order: OrderType,
    @Ctx() context: GraphQLContext,
  ): Promise<MoneyType | null> {
    requireAdmin(context);
    const cost = await context.loaders.upstreamCostByOrderId.load(order.id);
    return cost ? MoneyType.from(cost) : null;
  }

  @FieldResolver(() => MoneyType, {
    nullable: true,
    description:
      'Admin: price minus the upstream cost converted at the configured exchange rates, in the platform currency; null when the cost or its rate is unknown.',
  })
  async margin(
    @Root() order: OrderType,
    @Ctx() context: GraphQLContext,
  ): Promise<MoneyType | null> {
    requireAdmin(context);
    const cost = await context.loaders.upstreamCostByOrderId.load(order.id);
    if (!cost) return null;
    const { config } = context.deps;
    try {
      const converted = convertMoney(cost, config.currency, config.exchangeRates);
      const priceMinor = Money.parse(order.price.amount, order.price.currency).minor;
      const marginMinor = priceMinor - converted.minor;
      // Money is never negative; a loss is shown with a minus sign.
      const magnitude = Money.ofMinor(
        marginMinor < 0n ? -marginMinor : marginMinor,
        config.currency,
      );
      return Object.assign(new MoneyType(), {
        amount: `${marginMinor < 0n ? '-' : ''}${magnitude.format()}`,
        currency: config.currency,
      });
    } catch (error) {
      if (error instanceof MoneyError) return null;
      throw error;
    }
  }
}
