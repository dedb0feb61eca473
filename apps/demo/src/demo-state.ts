import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the demo keeps between runs in ./data, so a rerun finds its wallet and orders. */
export interface DemoState {
  adminApiKey: string;
  /** Keys the simulators accept (fixed per data dir, like real upstream accounts). */
  upstreamKeys: Record<string, string>;
  demoUser?: { id: string; apiKey: string };
}

export function loadDemoState(dataDir: string): DemoState {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'demo-state.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoState;
  const state: DemoState = { adminApiKey: randomKey(), upstreamKeys: {} };
  saveDemoState(dataDir, state);
  return state;
}

export function saveDemoState(dataDir: string, state: DemoState): void {
  // Holds keys: readable by the owner only.
  writeFileSync(join(dataDir, 'demo-state.json'), JSON.stringify(state, null, 2) + '\n', {
    mode: 0o600,
  });
}

export function randomKey(): string {
  return randomBytes(24).toString('base64url');
}
