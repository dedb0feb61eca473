import { Ctx, Query, Resolver } from 'type-graphql';
import { listProviders } from '../use-cases/list-providers.js';
import { requireAdmin, type GraphQLContext } from './context.js';
import { ProviderType } from './catalog.type.js';
import { MoneyType } from './money.type.js';

@Resolver()
export class ProviderResolver {
  @Query(() => [ProviderType], { description: 'Admin: every configured provider; never a key.' })
  async providers(@Ctx() context: GraphQLContext): Promise<ProviderType[]> {
    requireAdmin(context);
    const providers = await listProviders(context.deps);
    return providers.map((provider) =>
      Object.assign(new ProviderType(), {
        id: provider.id,
        kind: provider.kind,
        healthy: provider.healthy,
        balance: provider.balance ? MoneyType.from(provider.balance) : null,
        activeOrders: provider.activeOrders,
        lastError: provider.lastError,
        codeRate: provider.codeRate,
        codeRateSamples: provider.codeRateSamples,
      }),
    );
  }
}
