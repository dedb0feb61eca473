import { createHash, timingSafeEqual } from 'node:crypto';
import { unauthenticated } from '../errors/api-error.js';
import type { Viewer } from './viewer.js';

export interface KnownUser {
  id: string;
  name: string;
  isAdmin: boolean;
  /** The key this request authenticated with (a revoked key's sockets are closed). */
  keyId: string;
}

export interface AuthenticatorOptions {
  adminApiKey: string | undefined;
  findUserByApiKey(apiKey: string): Promise<KnownUser | null>;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** "Bearer <key>" → the key; anything else → undefined. */
export function parseBearer(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export type Authenticator = (authorization: unknown) => Promise<Viewer>;

/** Resolves an `Authorization` value to a viewer or throws UNAUTHENTICATED. The rate-limit key
 *  is a hash of the API key, so the limiter's memory never holds a key. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const adminDigest = options.adminApiKey ? sha256(options.adminApiKey) : undefined;
  return async (authorization) => {
    const apiKey = parseBearer(authorization);
    if (!apiKey) {
      throw unauthenticated(
        authorization === undefined || authorization === ''
          ? 'an API key is required: send "Authorization: Bearer <key>"'
          : 'the Authorization value must be "Bearer <key>"',
      );
    }
    const digest = sha256(apiKey);
    const rateLimitKey = digest.toString('hex');
    // Compare digests in constant time: equal lengths, and no early exit on the first byte.
    if (adminDigest && timingSafeEqual(digest, adminDigest)) {
      return { kind: 'admin', id: 'admin', name: 'admin', isAdmin: true, rateLimitKey };
    }
    const user = await options.findUserByApiKey(apiKey);
    if (!user) throw unauthenticated('unknown API key');
    return {
      kind: 'user',
      id: user.id,
      name: user.name,
      isAdmin: user.isAdmin,
      rateLimitKey,
      keyId: user.keyId,
    };
  };
}
