import type { Logger } from 'pino';
import type { Viewer } from '../auth/viewer.js';

/** One log line per admin action an operator may have to trace: who did what to whom. Never
 *  the secrets involved (a created key is not logged). */
export function logAdminAction(
  logger: Logger,
  viewer: Viewer,
  action: string,
  details: { target?: string; amount?: string; reference?: string } = {},
): void {
  logger.info(
    { admin: { actor: viewer.id, actorName: viewer.name, action, ...details } },
    `admin ${action} by ${viewer.name}`,
  );
}
