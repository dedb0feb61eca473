import type { OrderStatus } from '@numbroker/core';
import type { OrderRecord } from '../services/records.js';
import { listOrders, MAX_PAGE_SIZE } from '../use-cases/get-orders.js';
import {
  activationTimeOf,
  digitsOf,
  latestMessage,
  type EndpointContext,
  type OwnedOrder,
  type Params,
} from './endpoint-context.js';
import { jsonAnswer, ProtocolRefusal, textAnswer, type Answer } from './answers.js';
import { JsonNumber, type JsonValue } from './json-text.js';

const ENDED_WITHOUT_USE: readonly OrderStatus[] = ['CANCELLED', 'EXPIRED', 'FAILED', 'REPORTED'];

/** `getStatusV2&id=`: `{verificationType: 0, sms: {dateTime, code, text} | null, call: null}`
 *  for an order that is open or was used (the newest SMS); `STATUS_CANCEL` (text) for one that
 *  ended without use, as `getStatus` says. Only SMS are received here: `verificationType` 0. */
export async function getStatusV2(
  { deps }: EndpointContext,
  { order }: OwnedOrder,
): Promise<Answer> {
  if (ENDED_WITHOUT_USE.includes(order.status)) return textAnswer('STATUS_CANCEL');
  const messages = (await deps.store.messagesOfOrders([order.id])).get(order.id) ?? [];
  const last = latestMessage(messages);
  const sms: JsonValue = last
    ? {
        dateTime: last.receivedAt.toISOString().slice(0, 19).replace('T', ' '),
        code: last.code ?? '',
        text: last.text ?? '',
      }
    : null;
  return jsonAnswer({ verificationType: JsonNumber.ofInteger(0), sms, call: null });
}

/** How many of the caller's orders getHistory looks through at most (newest first). */
const HISTORY_SCAN_LIMIT = 10_000;
const DEFAULT_HISTORY_SIZE = 50;

/** `getHistory[&start=][&end=][&offset=][&limit= | &size=]`: the caller's activations created
 *  between `start` and `end` (unix seconds, inclusive), newest first, `offset` skipped, at most
 *  `limit` (≤ 100). Each: `{id, date, phone, sms, cost, status}` where `status` is "4" waiting,
 *  "6" used (a code came), "8" ended without use; `sms` the newest code or text, or null. */
export async function getHistory(
  context: EndpointContext,
  userId: string,
  params: Params,
): Promise<Answer> {
  const start = secondsParam(params, 'start');
  const end = secondsParam(params, 'end');
  const offset = countParam(params, 'offset') ?? 0;
  const size = Math.min(
    countParam(params, 'limit') ?? countParam(params, 'size') ?? DEFAULT_HISTORY_SIZE,
    MAX_PAGE_SIZE,
  );

  const picked: OrderRecord[] = [];
  let skipped = 0;
  let scanned = 0;
  let after: string | undefined;
  scan: while (picked.length < size && scanned < HISTORY_SCAN_LIMIT) {
    const page = await listOrders(context.deps, userId, { first: MAX_PAGE_SIZE, after });
    for (const order of page.orders) {
      scanned += 1;
      const seconds = order.createdAt.getTime() / 1000;
      if (start !== undefined && seconds < start) break scan; // newest first: all older now
      if (end !== undefined && seconds > end) continue;
      if (skipped < offset) {
        skipped += 1;
        continue;
      }
      picked.push(order);
      if (picked.length === size) break scan;
    }
    const last = page.orders.at(-1);
    if (!page.hasNextPage || !last) break;
    after = page.cursorOf(last);
  }

  const messages = await context.deps.store.messagesOfOrders(picked.map((order) => order.id));
  const rows: JsonValue[] = [];
  for (const order of picked) {
    const activationId = await context.activationIds.ofOrder(order.id);
    if (activationId === null) continue;
    const last = latestMessage(messages.get(order.id) ?? []);
    rows.push({
      id: JsonNumber.of(activationId),
      date: activationTimeOf(order),
      phone: digitsOf(order.phoneNumber),
      sms: last ? (last.code ?? last.text) : null,
      cost: JsonNumber.of(order.price.format()),
      status: historyStatus(order.status),
    });
  }
  return jsonAnswer(rows);
}

function historyStatus(status: OrderStatus): string {
  switch (status) {
    case 'PENDING':
    case 'ACTIVE':
      return '4';
    case 'CODE_RECEIVED':
    case 'COMPLETED':
      return '6';
    case 'CANCELLED':
    case 'EXPIRED':
    case 'FAILED':
    case 'REPORTED':
      return '8';
  }
}

/** A unix time in seconds; BAD_DATA when present and not a whole number. */
function secondsParam(params: Params, name: string): number | undefined {
  const text = params.get(name)?.trim();
  if (!text) return undefined;
  if (!/^\d{1,12}$/.test(text)) throw new ProtocolRefusal('BAD_DATA');
  return Number(text);
}

function countParam(params: Params, name: string): number | undefined {
  const text = params.get(name)?.trim();
  if (!text) return undefined;
  if (!/^\d{1,6}$/.test(text)) throw new ProtocolRefusal('BAD_DATA');
  return Number(text);
}
