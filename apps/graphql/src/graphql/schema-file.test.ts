import { readFileSync } from 'node:fs';
import { LEDGER_ENTRY_KINDS, ORDER_STATUSES } from '@numbroker/core';
import { AUDIT_ACTIONS, type StoredOrderEventType } from '@numbroker/store';
import { failureCodeOf } from './order-failure.enum.js';
import { OrderEventTypeEnum } from './order-event-type.enum.js';
import { AuditActionEnum } from './audit.type.js';
import { LedgerEntryKindEnum } from './ledger.type.js';
import type { GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildGraphQLSchema } from './build-schema.js';
import { OrderStatusEnum } from './order-status.enum.js';
import { printSchemaFile } from './print-schema.js';

describe('schema.graphql', () => {
  it('matches the code (run `pnpm --filter @numbroker/graphql run schema` after a change)', async () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(printSchemaFile(await buildGraphQLSchema())).toBe(committed);
  });

  it('has every SPEC operation', async () => {
    const schema = await buildGraphQLSchema();
    const queries = Object.keys(schema.getQueryType()!.getFields());
    expect(queries).toEqual(
      expect.arrayContaining([
        ...['countries', 'me', 'offers', 'order', 'orders', 'providers', 'services'],
        // Second release
        ...['users', 'user', 'adminOrders', 'auditLog', 'webhookEndpoints', 'webhookDeliveries'],
      ]),
    );
    expect(Object.keys(schema.getMutationType()!.getFields())).toEqual(
      expect.arrayContaining([
        ...['buyNumber', 'cancelOrder', 'creditWallet', 'createUser', 'finishOrder'],
        ...['reportOrder', 'requestAnotherSms'],
        ...['adjustWallet', 'setUserDisabled', 'createApiKey', 'revokeApiKey'],
        ...['createWebhookEndpoint', 'deleteWebhookEndpoint', 'redeliverWebhook'],
      ]),
    );
    const user = schema.getType('User') as GraphQLObjectType;
    expect(Object.keys(user.getFields())).toEqual(expect.arrayContaining(['ledger', 'disabled']));
    const order = schema.getType('Order') as GraphQLObjectType;
    expect(Object.keys(order.getFields())).toEqual(expect.arrayContaining(['upstreamCost']));
    expect(Object.keys(schema.getSubscriptionType()!.getFields()).sort()).toEqual([
      'orderUpdated',
      'smsReceived',
    ]);
  });

  it('keeps OrderStatus equal to the domain statuses', () => {
    expect(Object.values(OrderStatusEnum)).toEqual([...ORDER_STATUSES]);
  });

  it('names every failure reason the buy and the reconciler write', () => {
    const buy = readFileSync(new URL('../use-cases/buy-number.ts', import.meta.url), 'utf8');
    const reconcile = readFileSync(
      new URL('../../../worker/src/reconcile-pending.ts', import.meta.url),
      'utf8',
    );
    expect(failureCodeOf('no provider had numbers')).toBe('NO_NUMBERS');
    for (const [source, text] of [
      [buy, "'no provider had numbers'"],
      [buy, '`no provider could sell ('],
      [buy, "'the number could not be recorded and was cancelled upstream'"],
      [reconcile, "'the purchase did not complete (reconciled)'"],
    ] as const) {
      expect(source).toContain(text);
      expect(failureCodeOf(text.slice(1))).not.toBe('OTHER');
    }
    expect(failureCodeOf('something new')).toBe('OTHER');
    expect(failureCodeOf(null)).toBeNull();
  });

  it('keeps OrderEventType equal to the outbox event types', () => {
    const stored: Record<StoredOrderEventType, true> = {
      ORDER_CREATED: true,
      ORDER_ACTIVE: true,
      ORDER_FAILED: true,
      SMS_RECEIVED: true,
      ORDER_CANCELLED: true,
      ORDER_EXPIRED: true,
      ORDER_COMPLETED: true,
      ORDER_REPORTED: true,
      ANOTHER_SMS_REQUESTED: true,
    };
    expect(Object.values(OrderEventTypeEnum).sort()).toEqual(Object.keys(stored).sort());
  });

  it('keeps LedgerEntryKind and AuditAction equal to the store’s', () => {
    expect(Object.values(LedgerEntryKindEnum)).toEqual([...LEDGER_ENTRY_KINDS]);
    expect(Object.values(AuditActionEnum)).toEqual([...AUDIT_ACTIONS]);
  });
});
