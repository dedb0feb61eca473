import { AppProcess } from '@numbroker/processes';

export { CLI_MAIN, REPO_ROOT, SERVER_MAIN, WORKER_MAIN } from '@numbroker/processes';

/** Every line a test process prints is kept (bounded), for suites that grep a whole run's logs. */
const ALL_LINES_KEPT = 200_000;

/** A server or worker of a test, as its own process (@numbroker/processes' AppProcess). */
export type ManagedProcess = AppProcess;

export const ManagedProcess = {
  /** Starts `node MAIN --config PATH` with LOG_LEVEL `logLevel`, else from the environment
   *  (E2E_LOG_LEVEL, default warn). */
  start(name: string, main: string, configPath: string, logLevel?: string): ManagedProcess {
    return AppProcess.start(name, main, configPath, {
      logLevel: logLevel ?? process.env.E2E_LOG_LEVEL ?? 'warn',
      keepAllLines: ALL_LINES_KEPT,
    });
  },
};
