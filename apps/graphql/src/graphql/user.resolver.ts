import { Money } from '@numbroker/core';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { createUser } from '../use-cases/create-user.js';
import { creditWallet } from '../use-cases/credit-wallet.js';
import type { UserRecord } from '../services/records.js';
import { notFound } from '../errors/api-error.js';
import { actorOf, requireAdmin, type GraphQLContext } from './context.js';
import { CreateUserInput } from './create-user.input.js';
import { MoneyType } from './money.type.js';
import { CreatedUserType, UserType } from './user.type.js';

export function toUserType(user: UserRecord): UserType {
  return Object.assign(new UserType(), {
    id: user.id,
    name: user.name,
    balance: MoneyType.from(user.available),
    held: MoneyType.from(user.held),
    isAdmin: user.isAdmin,
  });
}

@Resolver(() => UserType)
export class UserResolver {
  @Query(() => UserType, { description: 'The caller, with its wallet.' })
  async me(@Ctx() context: GraphQLContext): Promise<UserType> {
    const { viewer, deps } = context;
    if (viewer.kind === 'admin') {
      // The config's admin key is not a database user: it has no wallet.
      const zero = MoneyType.from(Money.zero(deps.config.currency));
      return Object.assign(new UserType(), {
        id: viewer.id,
        name: viewer.name,
        balance: zero,
        held: zero,
        isAdmin: true,
      });
    }
    const user = await deps.store.getUser(viewer.id);
    if (!user) throw notFound('user', viewer.id);
    return toUserType(user);
  }

  @Mutation(() => CreatedUserType, {
    description: 'Admin: a new user and its API key (shown once).',
  })
  async createUser(
    @Arg('input', () => CreateUserInput, { description: 'The new user.' }) input: CreateUserInput,
    @Ctx() context: GraphQLContext,
  ): Promise<CreatedUserType> {
    requireAdmin(context);
    const created = await createUser(context.deps, { name: input.name }, actorOf(context));
    return Object.assign(new CreatedUserType(), {
      user: toUserType(created.user),
      apiKey: created.apiKey,
    });
  }

  @Mutation(() => UserType, {
    description:
      'Admin: adds money to a user wallet. The same reference for the same user credits once.',
  })
  async creditWallet(
    @Arg('userId', () => ID, { description: 'The user to credit.' }) userId: string,
    @Arg('amount', () => String, { description: 'Decimal string in the platform currency.' })
    amount: string,
    @Arg('reference', () => String, {
      description: 'Your payment id: makes the credit idempotent.',
    })
    reference: string,
    @Ctx() context: GraphQLContext,
  ): Promise<UserType> {
    requireAdmin(context);
    return toUserType(
      await creditWallet(context.deps, { userId, amount, reference }, actorOf(context)),
    );
  }
}
