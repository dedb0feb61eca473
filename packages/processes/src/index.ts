export {
  AppProcess,
  CLI_MAIN,
  REPO_ROOT,
  SERVER_MAIN,
  WORKER_MAIN,
  type ExitStatus,
  type StartOptions,
} from './app-process.js';
export { readableLogLine } from './log-lines.js';
export { freePort, waitFor, waitForHttpOk } from './wait.js';
