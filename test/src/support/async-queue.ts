/**
 * Values pushed by a producer (a subscription, a process's output) and awaited by a test: a
 * waiter resolves on the first matching value instead of sleeping a fixed time.
 */
export class AsyncQueue<T> {
  private readonly buffered: T[] = [];
  private readonly seen: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();
  private failure: Error | undefined;

  /** Everything pushed so far, in order (taken or not). */
  get all(): readonly T[] {
    return this.seen;
  }

  push(value: T): void {
    this.seen.push(value);
    for (const waiter of this.waiters) {
      if (waiter.accepts(value)) {
        this.waiters.delete(waiter);
        waiter.resolve(value);
        return;
      }
    }
    this.buffered.push(value);
  }

  /** Fails every present and future waiter (the producer ended or broke). */
  fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters.clear();
  }

  /** The next value that `accepts` takes (buffered ones first), or a timeout naming `what`. */
  next(what: string, timeoutMs: number, accepts: (value: T) => boolean = () => true): Promise<T> {
    const index = this.buffered.findIndex(accepts);
    if (index >= 0) return Promise.resolve(this.buffered.splice(index, 1)[0] as T);
    if (this.failure) return Promise.reject(new Error(`${what}: ${this.failure.message}`));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        accepts,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(new Error(`${what}: ${error.message}`));
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Values still buffered (not taken by `next`). */
  get pending(): readonly T[] {
    return this.buffered;
  }
}

interface Waiter<T> {
  accepts: (value: T) => boolean;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

/** Thrown from an `eventually` check: the wait is hopeless (a process died), fail at once. */
export class StopWaiting extends Error {
  override readonly name = 'StopWaiting';
}

/** Polls `check` until it returns a value other than undefined/false; for state that raises
 *  no event the test can listen to (a simulator's request log, a row in the database). */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 15_000, everyMs = 50 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
