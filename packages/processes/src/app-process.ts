import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/processes/{src,dist}/app-process.*). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The built entry points: what `pnpm serve`, `pnpm worker` and `pnpm numbroker` run. */
export const SERVER_MAIN = join(REPO_ROOT, 'apps/graphql/dist/main.js');
export const WORKER_MAIN = join(REPO_ROOT, 'apps/worker/dist/main.js');
export const CLI_MAIN = join(REPO_ROOT, 'apps/cli/dist/main.js');

/** Lines of output kept per process by default, for a failure message. */
const OUTPUT_LINES_KEPT = 200;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartOptions {
  /** LOG_LEVEL of the child (default: warn). */
  logLevel?: string;
  /** Node's own flags before the entry point (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** More environment for the child, over this process's own. */
  env?: Record<string, string | undefined>;
  /** Every line the child prints (stdout and stderr), as it comes. */
  onLine?: (line: string) => void;
  /** How many of its last lines to keep for `recentOutput` (default 200). */
  keepLines?: number;
  /** Keep every line from the start, up to this many, for `allOutput` (default 0: none) — for
   *  suites that search a whole run's logs (for a leaked secret, say). */
  keepAllLines?: number;
}

/** Children still running, killed if this process exits without stopping them: a crashed or
 *  interrupted run must not leave servers listening. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function watchForExit(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const running of live) running.kill('SIGKILL');
    });
  }
  live.add(child);
}

/** One of numbroker's processes (`node MAIN --config PATH`), started, watched and stopped. */
export class AppProcess {
  private readonly output: string[] = [];
  private readonly everything: string[] = [];
  private readonly exit: Promise<ExitStatus>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    options: StartOptions,
  ) {
    const keepLines = options.keepLines ?? OUTPUT_LINES_KEPT;
    const keepAllLines = options.keepAllLines ?? 0;
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (line.trim() === '') continue;
          this.output.push(line);
          if (this.output.length > keepLines) this.output.shift();
          if (this.everything.length < keepAllLines) this.everything.push(line);
          options.onLine?.(line);
        }
      });
    }
    watchForExit(child);
    this.exit = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        resolveExit({ code, signal });
      });
    });
  }

  /** Starts `node MAIN --config CONFIGPATH`; `main` must be built. */
  static start(
    name: string,
    main: string,
    configPath: string,
    options: StartOptions = {},
  ): AppProcess {
    if (!existsSync(main)) {
      throw new Error(
        `${main} is missing: build it first (pnpm build; turbo builds it before the tests)`,
      );
    }
    const child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), main, '--config', configPath],
      {
        env: { ...process.env, LOG_LEVEL: options.logLevel ?? 'warn', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return new AppProcess(name, child, options);
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

  /** Every line it printed since it started, up to `keepAllLines`. */
  allOutput(): readonly string[] {
    return this.everything;
  }

  /** Resolves when it exits, with its code or signal. */
  exited(): Promise<ExitStatus> {
    return this.exit;
  }

  /** SIGTERM (a graceful stop), then SIGKILL if it is still running after `graceMs`. */
  async stop(graceMs = 10_000): Promise<ExitStatus> {
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
