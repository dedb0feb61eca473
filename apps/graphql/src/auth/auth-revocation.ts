import type { Logger } from 'pino';

/** What the revocation watcher closes: an open WebSocket. */
export interface ClosableSocket {
  close(code?: number, reason?: string): void;
}

export interface AuthRevocationOptions {
  /** The store's auth generation: bumped by every revocation and disabling, by any process. */
  generation(): Promise<bigint>;
  /** Of these key ids, the ones that still authenticate. */
  stillValid(keyIds: readonly string[]): Promise<Set<string>>;
  /** Drops every cached key → user lookup. */
  clearCache(): void;
  logger: Logger;
  /** How often another process's revocation is looked for (default 1000 ms). */
  pollMs?: number;
}

/** Close code for a socket whose key stopped working (as for a bad connection_init). */
export const REVOKED_CLOSE_CODE = 4403;

/**
 * Makes a revoked key or a disabled user UNAUTHENTICATED everywhere: the API-key cache is
 * dropped and every open WebSocket authenticated with a key that no longer works is closed.
 * At once in the process that made the change (`checkNow`), within `pollMs` in every other
 * server (they watch the auth generation, one tiny read per interval).
 */
export class AuthRevocation {
  private readonly sockets = new Map<ClosableSocket, string>();
  private timer: NodeJS.Timeout | undefined;
  private seen: bigint | undefined;
  private checking: Promise<void> = Promise.resolve();

  constructor(private readonly options: AuthRevocationOptions) {}

  track(socket: ClosableSocket, keyId: string): void {
    this.sockets.set(socket, keyId);
  }

  untrack(socket: ClosableSocket): void {
    this.sockets.delete(socket);
  }

  async start(): Promise<void> {
    this.seen = await this.options.generation();
    const tick = () => {
      this.timer = setTimeout(() => {
        void this.poll().finally(() => {
          if (this.timer) tick();
        });
      }, this.options.pollMs ?? 1000);
      this.timer.unref();
    };
    tick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Drop the cache and close the sockets of keys that stopped working; serialized. */
  checkNow(): Promise<void> {
    this.checking = this.checking
      .then(() => this.revalidate())
      .catch((error: unknown) => {
        this.options.logger.error(
          { err: error },
          'checking open sockets after a revocation failed',
        );
      });
    return this.checking;
  }

  private async poll(): Promise<void> {
    try {
      const generation = await this.options.generation();
      if (generation === this.seen) return;
      this.seen = generation;
      await this.checkNow();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'reading the auth generation failed; trying again');
    }
  }

  private async revalidate(): Promise<void> {
    this.options.clearCache();
    const keyIds = [...new Set(this.sockets.values())];
    if (keyIds.length === 0) return;
    const valid = await this.options.stillValid(keyIds);
    for (const [socket, keyId] of this.sockets) {
      if (valid.has(keyId)) continue;
      this.sockets.delete(socket);
      socket.close(REVOKED_CLOSE_CODE, 'Forbidden: the API key was revoked or its user disabled');
    }
  }
}
