import {
  checkWebhookUrl,
  isWebhookEventType,
  WEBHOOK_EVENT_TYPES,
  WebhookSecretBox,
  WebhookUrlRefused,
} from '@numbroker/webhooks';
import type { WebhookDeliveryEntity, WebhookEndpointEntity } from '@numbroker/store';
import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { badUserInput } from '../errors/api-error.js';
import { PageArgs } from './admin.args.js';
import { toConnection } from './console.mapper.js';
import { actorOf, requireAdmin, requireUser, type GraphQLContext } from './context.js';
import {
  CreatedWebhookEndpointType,
  CreateWebhookEndpointInput,
  WebhookDeliveryConnectionType,
  WebhookDeliveryEdgeType,
  WebhookDeliveryStatusEnum,
  WebhookDeliveryType,
  WebhookEndpointType,
} from './webhook.type.js';

function endpointTypeOf(endpoint: WebhookEndpointEntity): WebhookEndpointType {
  let events: string[];
  try {
    events = JSON.parse(endpoint.events) as string[];
  } catch {
    events = [...WEBHOOK_EVENT_TYPES];
  }
  return Object.assign(new WebhookEndpointType(), {
    id: endpoint.id,
    url: endpoint.url,
    events,
    enabled: endpoint.enabled && !endpoint.deletedAt,
    createdAt: endpoint.createdAt.toISOString(),
  });
}

function deliveryTypeOf(delivery: WebhookDeliveryEntity): WebhookDeliveryType {
  return Object.assign(new WebhookDeliveryType(), {
    id: delivery.id,
    endpointId: delivery.endpointId,
    eventId: String(delivery.eventId),
    type: delivery.type,
    status: WebhookDeliveryStatusEnum[delivery.status],
    attempts: delivery.attempts,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    nextAttemptAt:
      delivery.status === 'PENDING' ? (delivery.nextAttemptAt?.toISOString() ?? null) : null,
    createdAt: delivery.createdAt.toISOString(),
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    payload: delivery.payload,
  });
}

/** Customer webhooks (Standard Webhooks). Sending happens in the worker, never here. */
@Resolver()
export class WebhookResolver {
  @Mutation(() => CreatedWebhookEndpointType, {
    description: 'Registers a URL for the caller’s events. The signing secret is shown once.',
  })
  async createWebhookEndpoint(
    @Arg('input', () => CreateWebhookEndpointInput, { description: 'The URL and its events.' })
    input: CreateWebhookEndpointInput,
    @Ctx() context: GraphQLContext,
  ): Promise<CreatedWebhookEndpointType> {
    const viewer = requireUser(context);
    const events = [...new Set(input.events ?? WEBHOOK_EVENT_TYPES)];
    const unknown = events.find((event) => !isWebhookEventType(event));
    if (unknown !== undefined || events.length === 0) {
      throw badUserInput(
        unknown !== undefined
          ? `unknown event type "${unknown}"; known: ${WEBHOOK_EVENT_TYPES.join(', ')}`
          : 'events must name at least one event type',
        { field: 'events' },
      );
    }
    let url: URL;
    try {
      url = await checkWebhookUrl(input.url, {
        allowPrivate: context.deps.config.webhooks.allowPrivateUrls,
      });
    } catch (error) {
      if (error instanceof WebhookUrlRefused) throw badUserInput(error.message, { field: 'url' });
      throw error;
    }
    const secret = WebhookSecretBox.generateSecret();
    const endpoint = await context.deps.console.webhooks.createEndpoint({
      userId: viewer.id,
      url: url.toString(),
      events,
      secretSealed: context.deps.webhookSecrets.seal(secret),
      actor: actorOf(context),
    });
    return Object.assign(new CreatedWebhookEndpointType(), {
      endpoint: endpointTypeOf(endpoint),
      secret,
    });
  }

  @Query(() => [WebhookEndpointType], {
    description: 'The caller’s live endpoints (an admin: everyone’s).',
  })
  async webhookEndpoints(@Ctx() context: GraphQLContext): Promise<WebhookEndpointType[]> {
    const { viewer } = context;
    const endpoints = await context.deps.console.webhooks.listEndpoints(
      viewer.isAdmin ? null : viewer.id,
    );
    return endpoints.map(endpointTypeOf);
  }

  @Mutation(() => Boolean, {
    description:
      'Deletes one of the caller’s endpoints: nothing more is sent; waiting deliveries end FAILED. False if already deleted.',
  })
  async deleteWebhookEndpoint(
    @Arg('id', () => ID, { description: 'The endpoint id.' }) id: string,
    @Ctx() context: GraphQLContext,
  ): Promise<boolean> {
    const { viewer } = context;
    return context.deps.console.webhooks.deleteEndpoint({
      endpointId: id,
      userId: viewer.isAdmin ? null : viewer.id,
      actor: actorOf(context),
    });
  }

  @Query(() => WebhookDeliveryConnectionType, {
    description: 'Deliveries of one of the caller’s endpoints (an admin: any), newest first.',
  })
  async webhookDeliveries(
    @Arg('endpointId', () => ID, { description: 'The endpoint id.' }) endpointId: string,
    @Args(() => PageArgs) args: PageArgs,
    @Ctx() context: GraphQLContext,
  ): Promise<WebhookDeliveryConnectionType> {
    const { viewer } = context;
    const { webhooks } = context.deps.console;
    await webhooks.findEndpoint(endpointId, viewer.isAdmin ? null : viewer.id);
    const page = await webhooks.listDeliveries({ endpointId, ...args });
    return toConnection(page, deliveryTypeOf, {
      connection: WebhookDeliveryConnectionType,
      edge: WebhookDeliveryEdgeType,
    });
  }

  @Query(() => WebhookDeliveryConnectionType, {
    description:
      'Admin: every endpoint’s deliveries, newest first, optionally one status (FAILED: what needs a look).',
  })
  async allWebhookDeliveries(
    @Args(() => PageArgs) args: PageArgs,
    @Arg('status', () => WebhookDeliveryStatusEnum, {
      nullable: true,
      description: 'Only this status.',
    })
    status: WebhookDeliveryStatusEnum | null,
    @Ctx() context: GraphQLContext,
  ): Promise<WebhookDeliveryConnectionType> {
    requireAdmin(context);
    const page = await context.deps.console.webhooks.listDeliveries({
      endpointId: null,
      status,
      ...args,
    });
    return toConnection(page, deliveryTypeOf, {
      connection: WebhookDeliveryConnectionType,
      edge: WebhookDeliveryEdgeType,
    });
  }

  @Mutation(() => WebhookDeliveryType, {
    description:
      'Sends a delivery again (same webhook-id and body) on a fresh retry schedule, first attempt now.',
  })
  async redeliverWebhook(
    @Arg('deliveryId', () => ID, { description: 'The delivery id.' }) deliveryId: string,
    @Ctx() context: GraphQLContext,
  ): Promise<WebhookDeliveryType> {
    const { viewer } = context;
    const delivery = await context.deps.console.webhooks.redeliver({
      deliveryId,
      userId: viewer.isAdmin ? null : viewer.id,
      actor: actorOf(context),
    });
    return deliveryTypeOf(delivery);
  }
}
