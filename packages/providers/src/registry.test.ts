import { describe, expect, it } from 'vitest';
import { PROVIDER_KINDS } from './adapter.js';
import { createAdapter, createSimulator, supportedKinds } from './registry.js';

describe('registry', () => {
  it('builds an adapter and a simulator for every supported kind', async () => {
    expect([...supportedKinds()].sort()).toEqual([...PROVIDER_KINDS].sort());
    for (const kind of supportedKinds()) {
      const sim = createSimulator(kind);
      expect(sim.kind).toBe(kind);
      const baseUrl = await sim.start();
      try {
        const adapter = createAdapter({
          id: `reg-${kind}`,
          kind,
          baseUrl,
          apiKey: sim.apiKey,
          currency:
            kind === 'smsactivate' || kind === 'smsman'
              ? 'RUB'
              : kind === 'fivesim'
                ? 'USD'
                : 'IRT',
          timeoutMs: 3000,
        });
        expect(adapter).toMatchObject({ id: `reg-${kind}`, kind });
        expect((await adapter.catalog()).length).toBeGreaterThan(0);
      } finally {
        await sim.stop();
      }
    }
  });

  it('names an unknown kind', () => {
    expect(() => createSimulator('nope' as never)).toThrow(/"nope"/);
    expect(() =>
      createAdapter({
        id: 'x',
        kind: 'nope' as never,
        baseUrl: 'http://127.0.0.1/',
        apiKey: 'k',
        currency: 'RUB',
      }),
    ).toThrow(/provider "x".*"nope"/);
  });
});
