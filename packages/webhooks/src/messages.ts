import type {
  OrderEventEntity,
  OrderEventPayload,
  OrderSnapshot,
  WebhookEndpointEntity,
} from '@numbroker/store';

/** The event types an endpoint can ask for (CreateWebhookEndpointInput.events). */
export const WEBHOOK_EVENT_TYPES = ['sms.received', 'order.updated'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** The order as the API's `Order` shows it (field names of the GraphQL type). */
export interface WebhookOrder {
  id: string;
  status: string;
  service: string;
  country: string;
  operator: string | null;
  provider: string;
  phoneNumber: string | null;
  price: { amount: string; currency: string };
  failureReason: string | null;
  createdAt: string;
  expiresAt: string;
}

export interface WebhookBody {
  type: WebhookEventType;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  data: {
    eventId: string;
    /** What happened to the order: ORDER_ACTIVE, SMS_RECEIVED, ... (OrderUpdated.type). */
    event: string;
    order: WebhookOrder;
    code?: string;
    text?: string | null;
  };
}

/** The order as it was right after the event (the outbox snapshot). Its messages are not in
 *  the snapshot: `sms.received` carries the code and text of the message itself. */
function webhookOrder(snapshot: OrderSnapshot): WebhookOrder {
  return {
    id: snapshot.id,
    status: snapshot.status,
    service: snapshot.service,
    country: snapshot.country,
    operator: snapshot.operator,
    provider: snapshot.providerId ?? '',
    phoneNumber: snapshot.phoneNumber,
    price: snapshot.price,
    failureReason: snapshot.failureReason,
    createdAt: snapshot.createdAt,
    expiresAt: snapshot.expiresAt,
  };
}

/**
 * What one order event means to one endpoint: `order.updated` for every change, plus
 * `sms.received` for an SMS with a code — each only if the endpoint asked for it. The body is
 * made now and stored with the delivery, so every retry sends the same bytes.
 */
export function messagesOfEvent(
  event: OrderEventEntity,
  endpoint: WebhookEndpointEntity,
): Array<{ type: WebhookEventType; payload: string }> {
  let wanted: string[];
  try {
    wanted = JSON.parse(endpoint.events) as string[];
  } catch {
    wanted = [...WEBHOOK_EVENT_TYPES];
  }
  let payload;
  try {
    payload = JSON.parse(event.payload) as OrderEventPayload;
  } catch {
    return []; // An unreadable outbox row cannot be described; the subscriptions skip it too.
  }
  const code = payload.sms?.code ?? null;
  const timestamp = event.createdAt.toISOString();
  const base = { eventId: String(event.id), event: event.type, order: webhookOrder(payload.order) };
  const messages: Array<{ type: WebhookEventType; payload: string }> = [];
  if (wanted.includes('order.updated')) {
    const body: WebhookBody = { type: 'order.updated', timestamp, data: base };
    messages.push({ type: 'order.updated', payload: JSON.stringify(body) });
  }
  if (wanted.includes('sms.received') && event.type === 'SMS_RECEIVED' && code) {
    const body: WebhookBody = {
      type: 'sms.received',
      timestamp,
      data: { ...base, code, text: payload.sms?.text ?? null },
    };
    messages.push({ type: 'sms.received', payload: JSON.stringify(body) });
  }
  return messages;
}
