import {
  Arg,
  Ctx,
  ID,
  Resolver,
  Root,
  Subscription,
  type SubscribeResolverData,
} from 'type-graphql';
import { ApiError, badUserInput, notFound } from '../errors/api-error.js';
import type { OrderEventRecord } from '../services/records.js';
import {
  isTooSlow,
  orderEventStream,
  type OrderStreamItem,
} from '../subscriptions/order-event-stream.js';
import { requireUser, type GraphQLContext } from './context.js';
import { toOrderType } from './order.mapper.js';
import { OrderUpdatedType, SmsReceivedType } from './order.type.js';

const EVENT_ID = /^\d{1,19}$/;

interface StreamArgs {
  orderId: string | undefined;
  after: string | undefined;
  onlySms: boolean;
}

/** Checks ownership before streaming: another user's order is NOT_FOUND, as for reading.
 *  The config's admin key hears every user's orders (the dashboard's live list). */
async function openStream(
  context: GraphQLContext,
  args: StreamArgs,
): Promise<AsyncIterable<OrderStreamItem>> {
  const userId = context.viewer.kind === 'admin' ? undefined : requireUser(context).id;
  if (args.after !== undefined && !EVENT_ID.test(args.after)) {
    throw badUserInput(
      `"after" must be an event id (digits) from an earlier event; got "${args.after}"`,
    );
  }
  if (args.orderId !== undefined) {
    const order = await context.deps.store.findOrder(args.orderId);
    if (!order || (userId !== undefined && order.userId !== userId)) {
      throw notFound('order', args.orderId);
    }
  }
  const { orderId, onlySms } = args;
  const stream = orderEventStream({
    pubSub: context.deps.pubSub,
    userId,
    orderId,
    after: args.after,
    matches: (event) =>
      (orderId === undefined || event.orderId === orderId) &&
      (!onlySms || event.type === 'SMS_RECEIVED'),
    readEventsAfter: (afterId, userId, limit) =>
      context.deps.store.eventsAfter(afterId, limit, userId),
    // However the subscription ends (client stop, socket closed, error), the gauge drops.
    onOpen: () => context.deps.metrics.openSubscriptions.inc(),
    onClose: () => context.deps.metrics.openSubscriptions.dec(),
  });
  return stream;
}

/** A stream's last item when its subscriber fell too far behind: a coded error, then complete. */
function eventOf(item: OrderStreamItem): OrderEventRecord {
  if (!isTooSlow(item)) return item;
  throw new ApiError(
    'SUBSCRIBER_TOO_SLOW',
    'this subscription fell too far behind and was ended; subscribe again with `after` set to lastEventId to get the rest',
    { lastEventId: item.lastEventId },
  );
}

const optional = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

@Resolver()
export class OrderEventsResolver {
  @Subscription(() => OrderUpdatedType, {
    description:
      'Changes of one order (`id`), or of all mine (the admin key: of every user). `after`: replay what came after it first.',
    subscribe: ({
      args,
      context,
    }: SubscribeResolverData<unknown, Record<string, unknown>, GraphQLContext>) =>
      openStream(context, {
        orderId: optional(args.id),
        after: optional(args.after),
        onlySms: false,
      }),
  })
  async orderUpdated(
    @Root() item: OrderStreamItem,
    @Ctx() context: GraphQLContext,
    @Arg('id', () => ID, { nullable: true, description: 'One order; all of mine when omitted.' })
    _id?: string,
    @Arg('after', () => ID, {
      nullable: true,
      description: 'The last eventId seen: what came later is replayed first.',
    })
    _after?: string,
  ): Promise<OrderUpdatedType> {
    const event = eventOf(item);
    // The order as it was right after this event (its outbox snapshot): a replay shows history
    // as it happened, and a live event costs no read per subscriber.
    const order = event.order ?? (await context.deps.store.findOrder(event.orderId));
    if (!order) throw notFound('order', event.orderId);
    return Object.assign(new OrderUpdatedType(), {
      eventId: event.id,
      type: event.type,
      order: toOrderType(order),
    });
  }

  @Subscription(() => SmsReceivedType, {
    description:
      'Codes of one order (`orderId`), or of all mine (the admin key: of every user). `after`: replay what came after it first.',
    subscribe: ({
      args,
      context,
    }: SubscribeResolverData<unknown, Record<string, unknown>, GraphQLContext>) =>
      openStream(context, {
        orderId: optional(args.orderId),
        after: optional(args.after),
        onlySms: true,
      }),
  })
  async smsReceived(
    @Root() item: OrderStreamItem,
    @Ctx() context: GraphQLContext,
    @Arg('orderId', () => ID, {
      nullable: true,
      description: 'One order; all of mine when omitted.',
    })
    _orderId?: string,
    @Arg('after', () => ID, {
      nullable: true,
      description: 'The last eventId seen: what came later is replayed first.',
    })
    _after?: string,
  ): Promise<SmsReceivedType> {
    const event = eventOf(item);
    // The order as it was right after this event (its outbox snapshot): a replay shows history
    // as it happened, and a live event costs no read per subscriber.
    const order = event.order ?? (await context.deps.store.findOrder(event.orderId));
    if (!order) throw notFound('order', event.orderId);
    const sms = event.sms ?? { code: null, text: null, receivedAt: event.createdAt };
    return Object.assign(new SmsReceivedType(), {
      eventId: event.id,
      order: toOrderType(order),
      code: sms.code ?? '',
      text: sms.text,
      receivedAt: sms.receivedAt.toISOString(),
    });
  }
}
