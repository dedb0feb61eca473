import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { forbidden } from '../errors/api-error.js';
import { PageArgs } from './admin.args.js';
import { ApiKeyType } from './api-key.type.js';
import { apiKeyTypeOf, ledgerEntryTypeOf, toConnection } from './console.mapper.js';
import type { GraphQLContext } from './context.js';
import { LedgerEntryConnectionType, LedgerEntryEdgeType } from './ledger.type.js';
import { PageInfoType } from './order.type.js';
import { UserType } from './user.type.js';

/** Own data, or anyone's for an admin. */
function requireSelfOrAdmin(user: UserType, context: GraphQLContext): void {
  if (!context.viewer.isAdmin && context.viewer.id !== user.id) {
    throw forbidden('only the user themselves or an admin may read this');
  }
}

@Resolver(() => UserType)
export class UserFieldsResolver {
  @FieldResolver(() => Boolean, { description: 'Disabled: every key of the user is refused.' })
  async disabled(@Root() user: UserType, @Ctx() context: GraphQLContext): Promise<boolean> {
    const row = await context.loaders.userById.load(user.id);
    return Boolean(row?.disabledAt);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'ISO 8601; null for the configured admin key, which is no database user.',
  })
  async createdAt(@Root() user: UserType, @Ctx() context: GraphQLContext): Promise<string | null> {
    const row = await context.loaders.userById.load(user.id);
    return row?.createdAt.toISOString() ?? null;
  }

  @FieldResolver(() => LedgerEntryConnectionType, {
    description: 'The wallet statement, newest first: the user’s own, or any for an admin.',
  })
  async ledger(
    @Root() user: UserType,
    @Args(() => PageArgs) args: PageArgs,
    @Ctx() context: GraphQLContext,
  ): Promise<LedgerEntryConnectionType> {
    requireSelfOrAdmin(user, context);
    if (context.viewer.kind === 'admin' && user.id === context.viewer.id) {
      // The configured admin key has no wallet.
      return Object.assign(new LedgerEntryConnectionType(), {
        edges: [],
        nodes: [],
        pageInfo: PageInfoType.of({ hasNextPage: false, hasPreviousPage: false }, []),
      });
    }
    const page = await context.deps.console.admin.ledger(user.id, args);
    const currency = context.deps.config.currency;
    return toConnection(page, (entry) => ledgerEntryTypeOf(entry, currency), {
      connection: LedgerEntryConnectionType,
      edge: LedgerEntryEdgeType,
    });
  }

  @FieldResolver(() => [ApiKeyType], {
    description:
      'The user’s API keys, revoked ones included (never the keys themselves): own, or any for an admin.',
  })
  async apiKeys(@Root() user: UserType, @Ctx() context: GraphQLContext): Promise<ApiKeyType[]> {
    requireSelfOrAdmin(user, context);
    const keys = await context.deps.console.apiKeys.list(user.id);
    return keys.map(apiKeyTypeOf);
  }
}
