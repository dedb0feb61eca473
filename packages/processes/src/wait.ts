import { createServer } from 'node:net';

/** A port that was free a moment ago (listen(0), then closed), for a child process to bind. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it answers true; past `timeoutMs` throws, naming `what` and the last
 *  error the check threw (a refused connection while a process starts is not an error). */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
}

/** Waits until `baseUrl/path` answers 200 (`/healthz` by default). */
export function waitForHttpOk(
  baseUrl: string,
  timeoutMs = 60_000,
  path = '/healthz',
): Promise<void> {
  return waitFor(async () => (await fetch(`${baseUrl}${path}`)).ok, timeoutMs, `${baseUrl}${path}`);
}
