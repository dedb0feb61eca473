import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { badUserInput, notFound } from '../errors/api-error.js';
import { parseAmount } from '../use-cases/shared.js';
import { AdminOrdersArgs, AuditLogArgs, UsersArgs } from './admin.args.js';
import { AuditEntryConnectionType, AuditEntryEdgeType } from './audit.type.js';
import { auditEntryTypeOf, toConnection, userTypeOf } from './console.mapper.js';
import { actorOf, requireAdmin, type GraphQLContext } from './context.js';
import { toOrderType } from './order.mapper.js';
import { OrderConnectionType, OrderEdgeType } from './order.type.js';
import { UserConnectionType, UserEdgeType } from './user-connection.type.js';
import { UserType } from './user.type.js';

/** The operator's console: every user, order and audit entry; corrections and disabling. */
@Resolver()
export class AdminResolver {
  @Query(() => UserConnectionType, {
    description: 'Admin: users, newest first, optionally searched.',
  })
  async users(
    @Args(() => UsersArgs) args: UsersArgs,
    @Ctx() context: GraphQLContext,
  ): Promise<UserConnectionType> {
    requireAdmin(context);
    const { admin } = context.deps.console;
    const page = await admin.listUsers(args);
    const wallets = await admin.walletsOf(page.items.map((user) => user.id));
    const currency = context.deps.config.currency;
    return toConnection(page, (user) => userTypeOf(user, wallets.get(user.id), currency), {
      connection: UserConnectionType,
      edge: UserEdgeType,
    });
  }

  @Query(() => UserType, { nullable: true, description: 'Admin: one user, or null.' })
  async user(
    @Arg('id', () => ID, { description: 'The user id.' }) id: string,
    @Ctx() context: GraphQLContext,
  ): Promise<UserType | null> {
    requireAdmin(context);
    const { admin } = context.deps.console;
    const user = (await admin.usersById([id])).get(id);
    if (!user) return null;
    const wallet = (await admin.walletsOf([id])).get(id);
    return userTypeOf(user, wallet, context.deps.config.currency);
  }

  @Query(() => OrderConnectionType, {
    description: 'Admin: every user’s orders, newest first, filtered.',
  })
  async adminOrders(
    @Args(() => AdminOrdersArgs) args: AdminOrdersArgs,
    @Ctx() context: GraphQLContext,
  ): Promise<OrderConnectionType> {
    requireAdmin(context);
    const page = await context.deps.console.admin.listOrders(args);
    return toConnection(page, (order) => toOrderType(order), {
      connection: OrderConnectionType,
      edge: OrderEdgeType,
    });
  }

  @Query(() => AuditEntryConnectionType, {
    description: 'Admin: who did what, when; newest first.',
  })
  async auditLog(
    @Args(() => AuditLogArgs) args: AuditLogArgs,
    @Ctx() context: GraphQLContext,
  ): Promise<AuditEntryConnectionType> {
    requireAdmin(context);
    const page = await context.deps.console.audit.list(args);
    return toConnection(page, auditEntryTypeOf, {
      connection: AuditEntryConnectionType,
      edge: AuditEntryEdgeType,
    });
  }

  @Mutation(() => UserType, {
    description:
      'Admin: corrects a wallet by a signed amount ("-500" takes back a wrong top-up). Never below zero (INSUFFICIENT_FUNDS); the same reference for the same user applies once.',
  })
  async adjustWallet(
    @Arg('userId', () => ID, { description: 'The user whose wallet is corrected.' }) userId: string,
    @Arg('amount', () => String, {
      description: 'Signed decimal string in the platform currency, not zero.',
    })
    amount: string,
    @Arg('reference', () => String, {
      description: 'Your id for this correction: makes it idempotent.',
    })
    reference: string,
    @Arg('note', () => String, {
      nullable: true,
      description: 'Why, for the audit log (at most 500 characters).',
    })
    note: string | null,
    @Ctx() context: GraphQLContext,
  ): Promise<UserType> {
    requireAdmin(context);
    // Money is never negative: parse the magnitude, then give it the sign.
    const text = amount.trim();
    const negative = text.startsWith('-');
    const magnitude = parseAmount(
      context.deps,
      negative ? text.slice(1) : text.replace(/^\+/, ''),
      'amount',
    );
    if (magnitude.isZero()) throw badUserInput('amount must not be zero', { field: 'amount' });
    const amountMinor = negative ? -magnitude.minor : magnitude.minor;
    const { admin } = context.deps.console;
    const result = await admin.adjustWallet({
      userId,
      amountMinor,
      reference,
      note,
      actor: actorOf(context),
    });
    const user = (await admin.usersById([userId])).get(userId);
    if (!user) throw notFound('user', userId);
    return userTypeOf(user, result.wallet, context.deps.config.currency);
  }

  @Mutation(() => UserType, {
    description:
      'Admin: a disabled user’s keys are UNAUTHENTICATED at once, on HTTP and on open WebSockets (closed with 4403); enabling lets them in again. Open orders keep running.',
  })
  async setUserDisabled(
    @Arg('userId', () => ID, { description: 'The user.' }) userId: string,
    @Arg('disabled', () => Boolean, { description: 'true to disable, false to enable.' })
    disabled: boolean,
    @Ctx() context: GraphQLContext,
  ): Promise<UserType> {
    requireAdmin(context);
    const { admin } = context.deps.console;
    const user = await admin.setUserDisabled({ userId, disabled, actor: actorOf(context) });
    if (disabled) await context.deps.authChanged();
    const wallet = (await admin.walletsOf([userId])).get(userId);
    return userTypeOf(user, wallet, context.deps.config.currency);
  }
}
