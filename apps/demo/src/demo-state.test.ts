import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDemoState, saveDemoState } from './demo-state.js';

describe('demo state', () => {
  it('creates an admin key once and keeps it, and the demo user, across runs', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'nb-demo-')), 'data');
    const first = loadDemoState(dir);
    expect(first.adminApiKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
    first.demoUser = { id: 'u1', apiKey: 'k1' };
    first.upstreamKeys.smsactivate = 'sim-key';
    saveDemoState(dir, first);

    const second = loadDemoState(dir);
    expect(second).toEqual(first);
    // It holds keys: nobody but the owner may read it.
    expect(statSync(join(dir, 'demo-state.json')).mode & 0o077).toBe(0);
  });
});
