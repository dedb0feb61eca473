import { readFileSync } from 'node:fs';
import { ORDER_STATUSES } from '@numbroker/core';
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
    expect(Object.keys(schema.getQueryType()!.getFields()).sort()).toEqual(
      ['countries', 'me', 'offers', 'order', 'orders', 'providers', 'services'].sort(),
    );
    expect(Object.keys(schema.getMutationType()!.getFields()).sort()).toEqual(
      [
        'buyNumber',
        'cancelOrder',
        'creditWallet',
        'createUser',
        'finishOrder',
        'reportOrder',
        'requestAnotherSms',
      ].sort(),
    );
    expect(Object.keys(schema.getSubscriptionType()!.getFields()).sort()).toEqual([
      'orderUpdated',
      'smsReceived',
    ]);
  });

  it('keeps OrderStatus equal to the domain statuses', () => {
    expect(Object.values(OrderStatusEnum)).toEqual([...ORDER_STATUSES]);
  });
});
