import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { forbidden } from '../errors/api-error.js';
import { CreatedApiKeyType } from './api-key.type.js';
import { apiKeyTypeOf } from './console.mapper.js';
import { actorOf, type GraphQLContext } from './context.js';

/** Several named keys per user. Rotation without downtime: createApiKey, switch the client to
 *  the new key, revokeApiKey the old one; both work in between. */
@Resolver()
export class ApiKeyResolver {
  @Mutation(() => CreatedApiKeyType, {
    description: 'Another API key for the caller (or, for an admin, for `userId`). Shown once.',
  })
  async createApiKey(
    @Arg('name', () => String, {
      nullable: true,
      description: 'What the key is for, at most 100 characters.',
    })
    name: string | null,
    @Arg('userId', () => ID, { nullable: true, description: 'Admin: make the key for this user.' })
    userId: string | null,
    @Ctx() context: GraphQLContext,
  ): Promise<CreatedApiKeyType> {
    const { viewer } = context;
    const owner = userId ?? (viewer.kind === 'user' ? viewer.id : null);
    if (owner === null) {
      throw forbidden('the configured admin key is no user: pass userId to make a key for a user');
    }
    if (owner !== viewer.id && !viewer.isAdmin) throw forbidden();
    const created = await context.deps.console.apiKeys.create({
      userId: owner,
      name,
      actor: actorOf(context),
    });
    return Object.assign(new CreatedApiKeyType(), {
      key: apiKeyTypeOf(created.key),
      apiKey: created.apiKey,
    });
  }

  @Mutation(() => Boolean, {
    description:
      'Revokes one of the caller’s keys (an admin: anyone’s). It is UNAUTHENTICATED at once, open WebSockets too. A user’s last live key cannot be revoked (STATE_CONFLICT).',
  })
  async revokeApiKey(
    @Arg('id', () => ID, { description: 'The key id (User.apiKeys).' }) id: string,
    @Ctx() context: GraphQLContext,
  ): Promise<boolean> {
    const { viewer } = context;
    await context.deps.console.apiKeys.revoke({
      keyId: id,
      userId: viewer.isAdmin ? null : viewer.id,
      actor: actorOf(context),
    });
    await context.deps.authChanged();
    return true;
  }
}
