import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { buyNumber } from '../use-cases/buy-number.js';
import { cancelOrder } from '../use-cases/cancel-order.js';
import { finishOrder } from '../use-cases/finish-order.js';
import { getOrder, listOrders } from '../use-cases/get-orders.js';
import { reportOrder } from '../use-cases/report-order.js';
import { requestAnotherSms } from '../use-cases/request-another-sms.js';
import { BuyNumberInput } from './buy-number.input.js';
import { requireUser, type GraphQLContext } from './context.js';
import { toOrderType, toSmsType } from './order.mapper.js';
import {
  OrderConnectionType,
  OrderEdgeType,
  OrderType,
  PageInfoType,
  SmsType,
} from './order.type.js';
import { OrdersArgs } from './orders.args.js';
import { notFound } from '../errors/api-error.js';

@Resolver(() => OrderType)
export class OrderResolver {
  @Query(() => OrderType, { nullable: true, description: "One of the caller's orders." })
  async order(
    @Arg('id', () => ID, { description: 'The order id.' }) id: string,
    @Ctx() context: GraphQLContext,
  ): Promise<OrderType | null> {
    const viewer = requireUser(context);
    // SPEC: another user's order is NOT_FOUND for reading too, exactly like a missing one.
    const order = await getOrder(context.deps, viewer.id, id);
    if (!order) throw notFound('order', id);
    return toOrderType(order);
  }

  @Query(() => OrderConnectionType, { description: "The caller's orders, newest first." })
  async orders(
    @Args(() => OrdersArgs) args: OrdersArgs,
    @Ctx() context: GraphQLContext,
  ): Promise<OrderConnectionType> {
    const viewer = requireUser(context);
    const page = await listOrders(context.deps, viewer.id, {
      first: args.first ?? undefined,
      after: args.after ?? undefined,
      status: args.status ?? undefined,
    });
    const edges = page.orders.map((order) =>
      Object.assign(new OrderEdgeType(), {
        cursor: page.cursorOf(order),
        node: toOrderType(order),
      }),
    );
    return Object.assign(new OrderConnectionType(), {
      edges,
      nodes: edges.map((edge) => edge.node),
      pageInfo: PageInfoType.of(
        { hasNextPage: page.hasNextPage, hasPreviousPage: Boolean(args.after) },
        edges.map((edge) => edge.cursor),
      ),
    });
  }

  @FieldResolver(() => [SmsType], { description: 'Every SMS received, oldest first.' })
  async messages(@Root() order: OrderType, @Ctx() context: GraphQLContext): Promise<SmsType[]> {
    const messages = await context.loaders.messagesByOrderId.load(order.id);
    return messages.map(toSmsType);
  }

  @FieldResolver(() => String, { nullable: true, description: 'The latest code.' })
  async smsCode(@Root() order: OrderType, @Ctx() context: GraphQLContext): Promise<string | null> {
    const messages = await context.loaders.messagesByOrderId.load(order.id);
    for (let index = messages.length - 1; index >= 0; index -= 1) {
      const code = messages[index]?.code;
      if (code) return code;
    }
    return null;
  }

  @Mutation(() => OrderType, {
    description:
      'Holds the price, buys from the cheapest healthy provider (failing over), returns the order ACTIVE.',
  })
  async buyNumber(
    @Arg('input', () => BuyNumberInput, { description: 'What to buy.' }) input: BuyNumberInput,
    @Ctx() context: GraphQLContext,
  ): Promise<OrderType> {
    const viewer = requireUser(context);
    const order = await buyNumber(context.deps, {
      userId: viewer.id,
      service: input.service,
      country: input.country,
      maxPrice: input.maxPrice ?? undefined,
      provider: input.provider ?? undefined,
      operator: input.operator ?? undefined,
      idempotencyKey: input.idempotencyKey ?? undefined,
    });
    return toOrderType(order);
  }

  @Mutation(() => OrderType, { description: 'Before any code: cancelled upstream, hold released.' })
  async cancelOrder(
    @Arg('id', () => ID, { description: 'The order id.' }) id: string,
    @Ctx() context: GraphQLContext,
  ): Promise<OrderType> {
    const viewer = requireUser(context);
    return toOrderType(await cancelOrder(context.deps, { userId: viewer.id, orderId: id }));
  }

  @Mutation(() => OrderType, { description: 'After a code: closes the order, upstream too.' })
  async finishOrder(
    @Arg('id', () => ID, { description: 'The order id.' }) id: string,
    @Ctx() context: GraphQLContext,
  ): Promise<OrderType> {
    const viewer = requireUser(context);
    return toOrderType(await finishOrder(context.deps, { userId: viewer.id, orderId: id }));
  }

  @Mutation(() => OrderType, {
    description: 'The code was wrong: reported upstream, refunded where the upstream refunds.',
  })
  async reportOrder(
    @Arg('id', () => ID, { description: 'The order id.' }) id: string,
    @Ctx() context: GraphQLContext,
  ): Promise<OrderType> {
    const viewer = requireUser(context);
    return toOrderType(await reportOrder(context.deps, { userId: viewer.id, orderId: id }));
  }

  @Mutation(() => OrderType, {
    description: 'After a code, where the upstream allows: wait for another.',
  })
  async requestAnotherSms(
    @Arg('id', () => ID, { description: 'The order id.' }) id: string,
    @Ctx() context: GraphQLContext,
  ): Promise<OrderType> {
    const viewer = requireUser(context);
    return toOrderType(await requestAnotherSms(context.deps, { userId: viewer.id, orderId: id }));
  }
}
