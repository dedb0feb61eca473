import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The built entry points: the tests run what `pnpm serve` and `pnpm worker` run. */
export const SERVER_MAIN = join(REPO_ROOT, 'apps/graphql/dist/main.js');
export const WORKER_MAIN = join(REPO_ROOT, 'apps/worker/dist/main.js');
export const CLI_MAIN = join(REPO_ROOT, 'apps/cli/dist/main.js');

/** Lines of output kept per process, shown when a test fails because of it. */
const OUTPUT_LINES_KEPT = 200;
/** Every line, for suites that grep a whole run's logs (secrets); bounded all the same. */
const ALL_LINES_KEPT = 200_000;

/** Children still running, killed if the test process exits without stopping them (a crashed
 *  or interrupted run must not leave servers listening). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A server or worker running as its own process. */
export class ManagedProcess {
  private readonly output: string[] = [];
  private readonly everything: string[] = [];
  private readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.output.push(line);
        if (this.output.length > OUTPUT_LINES_KEPT) this.output.shift();
        if (this.everything.length < ALL_LINES_KEPT) this.everything.push(line);
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    live.add(child);
    this.exit = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        resolveExit({ code, signal });
      });
    });
  }

  /** Starts `node MAIN --config PATH` with LOG_LEVEL `logLevel`, else from the environment
   *  (E2E_LOG_LEVEL, default warn). */
  static start(name: string, main: string, configPath: string, logLevel?: string): ManagedProcess {
    if (!existsSync(main)) {
      throw new Error(
        `${main} is missing: build it first (pnpm --filter @numbroker/graphql build, ` +
          'pnpm --filter @numbroker/worker build; turbo does it before the e2e tests)',
      );
    }
    const child = spawn(process.execPath, [main, '--config', configPath], {
      env: { ...process.env, LOG_LEVEL: logLevel ?? process.env.E2E_LOG_LEVEL ?? 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ManagedProcess(name, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines it printed (logs), for failure messages. */
  recentOutput(lines = 40): string {
    return this.output.slice(-lines).join('\n');
  }

  /** Every line it printed since it started (up to 200,000). */
  allOutput(): readonly string[] {
    return this.everything;
  }

  /** Resolves when it exits, with its code or signal. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exit;
  }

  /** SIGTERM (a graceful stop), then SIGKILL if it is still running after `graceMs`. */
  async stop(graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return this.exit;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    this.child.kill('SIGTERM');
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `kill -9`: no cleanup, no lease released, in-flight work lost. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }
}
