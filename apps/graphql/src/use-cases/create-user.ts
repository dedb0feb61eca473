import type { AuditActor } from '@numbroker/store';
import { badUserInput } from '../errors/api-error.js';
import type { AppDeps } from '../services/app-deps.js';
import type { UserRecord } from '../services/records.js';

export async function createUser(
  deps: AppDeps,
  request: { name: string },
  actor?: AuditActor,
): Promise<{ user: UserRecord; apiKey: string }> {
  const name = request.name.trim();
  if (name.length < 1 || name.length > 200) {
    throw badUserInput('name must be 1 to 200 characters', { field: 'name' });
  }
  return deps.store.createUser(name, actor);
}
