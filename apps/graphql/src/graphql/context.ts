import type { Logger } from 'pino';
import type { Viewer, UserViewer } from '../auth/viewer.js';
import { ApiError, forbidden } from '../errors/api-error.js';
import type { AppDeps } from '../services/app-deps.js';
import type { Loaders } from './loaders.js';

/** What every resolver gets: who calls, the server's dependencies, per-operation loaders. */
export interface GraphQLContext {
  viewer: Viewer;
  deps: AppDeps;
  loaders: Loaders;
  logger: Logger;
}

export function requireAdmin(context: GraphQLContext): Viewer {
  if (!context.viewer.isAdmin) throw forbidden();
  return context.viewer;
}

/** Operations on a wallet need a user: the config's admin key has none. */
export function requireUser(context: GraphQLContext): UserViewer {
  if (context.viewer.kind !== 'user') {
    throw new ApiError(
      'FORBIDDEN',
      'the admin key has no wallet or orders; create a user (createUser) and use its key',
    );
  }
  return context.viewer;
}

/** The caller as the audit log names it. */
export function actorOf(context: GraphQLContext): { id: string; name: string } {
  return { id: context.viewer.id, name: context.viewer.name };
}
