import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfoType } from './order.type.js';

export enum WebhookDeliveryStatusEnum {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}

registerEnumType(WebhookDeliveryStatusEnum, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a delivery stands.',
  valuesConfig: {
    PENDING: { description: 'Not yet answered with a 2xx: an attempt is due at `nextAttemptAt`.' },
    DELIVERED: { description: 'An attempt got a 2xx within the timeout.' },
    FAILED: {
      description:
        'Every attempt of the schedule failed (or the endpoint was deleted); redeliverWebhook sends it again.',
    },
  },
});

@InputType('CreateWebhookEndpointInput', { description: 'A URL to POST signed events to.' })
export class CreateWebhookEndpointInput {
  @Field({
    description:
      'http(s); private and loopback addresses are refused unless the config allows them.',
  })
  url!: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Event types: "sms.received", "order.updated". Default: every event.',
  })
  events?: string[] | null;
}

@ObjectType('WebhookEndpoint', { description: 'A customer’s webhook URL.' })
export class WebhookEndpointType {
  @Field(() => ID, { description: 'The endpoint id.' })
  id!: string;

  @Field({ description: 'Where events are POSTed.' })
  url!: string;

  @Field(() => [String], { description: 'The event types sent to it.' })
  events!: string[];

  @Field({ description: 'Events are sent to it (false once deleted).' })
  enabled!: boolean;

  @Field({ description: 'ISO 8601; only events after this are sent.' })
  createdAt!: string;
}

@ObjectType('CreatedWebhookEndpoint', { description: 'A new endpoint and its signing secret.' })
export class CreatedWebhookEndpointType {
  @Field(() => WebhookEndpointType, { description: 'The endpoint.' })
  endpoint!: WebhookEndpointType;

  @Field({
    description:
      'The Standard Webhooks signing secret "whsec_<base64>", shown this once. Verify webhook-signature with it.',
  })
  secret!: string;
}

@ObjectType('WebhookDelivery', {
  description:
    'One event for one endpoint; its id is the webhook-id header (as "msg_<id>") on every attempt.',
})
export class WebhookDeliveryType {
  @Field(() => ID, { description: 'The delivery id; the webhook-id header is "msg_" + this.' })
  id!: string;

  @Field(() => ID, { description: 'The endpoint it goes to.' })
  endpointId!: string;

  @Field(() => ID, {
    description: 'The order event it announces (as `after` in the subscriptions).',
  })
  eventId!: string;

  @Field({ description: '"sms.received" or "order.updated".' })
  type!: string;

  @Field(() => WebhookDeliveryStatusEnum, { description: 'Where it stands.' })
  status!: WebhookDeliveryStatusEnum;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'The HTTP status of the last attempt, if it got one.',
  })
  lastStatusCode!: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why the last attempt failed (timeout, refused address, HTTP 500).',
  })
  lastError!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'ISO 8601: the next attempt (PENDING only).',
  })
  nextAttemptAt!: string | null;

  @Field({ description: 'ISO 8601' })
  createdAt!: string;

  @Field(() => String, { nullable: true, description: 'ISO 8601: when a 2xx came.' })
  deliveredAt!: string | null;

  @Field({ description: 'The exact JSON body sent (the same on every attempt).' })
  payload!: string;
}

@ObjectType('WebhookDeliveryEdge', { description: 'A delivery with its cursor.' })
export class WebhookDeliveryEdgeType {
  @Field({ description: 'Pass as `after` to continue after this delivery.' })
  cursor!: string;

  @Field(() => WebhookDeliveryType, { description: 'The delivery.' })
  node!: WebhookDeliveryType;
}

@ObjectType('WebhookDeliveryConnection', { description: 'A page of deliveries, newest first.' })
export class WebhookDeliveryConnectionType {
  @Field(() => [WebhookDeliveryEdgeType], { description: 'The deliveries with their cursors.' })
  edges!: WebhookDeliveryEdgeType[];

  @Field(() => [WebhookDeliveryType], {
    description: 'The same deliveries as `edges`, without cursors.',
  })
  nodes!: WebhookDeliveryType[];

  @Field(() => PageInfoType, { description: 'Where this page is.' })
  pageInfo!: PageInfoType;
}
