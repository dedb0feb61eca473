/** What the guards log through (a pino logger fits). */
export interface GuardLogger {
  error(object: Record<string, unknown>, message: string): void;
}

/** Keeps one failed request, subscription or upstream answer from ending the process: an
 *  exception or rejection nothing handled is logged (and counted through `onFault`) instead of
 *  killing every other request, subscription and in-flight buy with it. Every money change is
 *  one transaction, so what threw left nothing half-written for the process to carry on with. */
export function installProcessGuards(
  logger: GuardLogger,
  onFault: (kind: 'uncaughtException' | 'unhandledRejection') => void = () => {},
): void {
  process.on('uncaughtException', (error) => {
    onFault('uncaughtException');
    logger.error({ err: error }, 'uncaught exception (kept running)');
  });
  process.on('unhandledRejection', (reason) => {
    onFault('unhandledRejection');
    logger.error({ err: reason }, 'unhandled promise rejection (kept running)');
  });
}
