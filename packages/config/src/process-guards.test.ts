import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built module (pnpm install builds it; a child process of Node 20 cannot load the .ts).
const GUARDS = pathToFileURL(fileURLToPath(new URL('../dist/process-guards.js', import.meta.url)));

/** A process with the guards: a throw in a callback and a rejected promise nothing handles. */
const SCRIPT = `
const { installProcessGuards } = await import(${JSON.stringify(GUARDS.href)});
const logged = [];
installProcessGuards({ error: (object, message) => logged.push(message) });
setTimeout(() => { throw new Error('a listener threw'); }, 0);
void Promise.reject(new Error('nobody awaited this'));
setTimeout(() => { process.stdout.write(JSON.stringify(logged)); process.exit(0); }, 50);
`;

describe('installProcessGuards', () => {
  it('logs an uncaught exception and an unhandled rejection, and the process keeps running', () => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as string[]).sort()).toEqual([
      'uncaught exception (kept running)',
      'unhandled promise rejection (kept running)',
    ]);
  });
});
