import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI_MAIN } from './processes.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `numbroker ARGS` as its own process (the built CLI, what `pnpm numbroker` runs). */
export function runCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  if (!existsSync(CLI_MAIN)) {
    throw new Error(`${CLI_MAIN} is missing: build it first (pnpm --filter @numbroker/cli build)`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      env: { ...process.env, NUMBROKER_CONFIG: undefined, LOG_LEVEL: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
