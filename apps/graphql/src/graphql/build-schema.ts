import 'reflect-metadata';
import { createPubSub } from '@graphql-yoga/subscription';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AdminStatsResolver } from './admin-stats.resolver.js';
import { CatalogResolver } from './catalog.resolver.js';
import { OrderEventsResolver } from './order-events.resolver.js';
import { OrderResolver } from './order.resolver.js';
import { ProviderResolver } from './provider.resolver.js';
import { UserResolver } from './user.resolver.js';
import { AdminResolver } from './admin.resolver.js';
import { ApiKeyResolver } from './api-key.resolver.js';
import { OrderAdminResolver } from './order-admin.resolver.js';
import { UserFieldsResolver } from './user-fields.resolver.js';
import { WebhookResolver } from './webhook.resolver.js';

export const RESOLVERS = [
  UserResolver,
  CatalogResolver,
  OrderResolver,
  OrderEventsResolver,
  ProviderResolver,
  AdminStatsResolver,
  AdminResolver,
  UserFieldsResolver,
  ApiKeyResolver,
  OrderAdminResolver,
  WebhookResolver,
] as const;

/** The executable schema. Subscriptions stream through their own `subscribe` functions (replay
 *  + live, see order-events.resolver.ts); type-graphql insists on a pubSub all the same, so it
 *  gets an unused one. Input is validated in the use cases (typed errors). */
export async function buildGraphQLSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    validate: false,
    pubSub: createPubSub(),
    emitSchemaFile: false,
  });
}
