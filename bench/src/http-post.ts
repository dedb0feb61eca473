import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** A keep-alive JSON POST with as little client overhead as node:http allows, so the load
 *  generator spends its share of the 2 cores on requests, not on fetch machinery. */
export function postJson(
  url: URL,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown });
          } catch {
            reject(new Error(`non-JSON answer (HTTP ${res.statusCode}): ${text.slice(0, 200)}`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface GraphqlAnswer<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export async function graphql<T>(
  url: URL,
  apiKey: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const { json } = await postJson(url, { query, variables }, { authorization: `Bearer ${apiKey}` });
  const answer = json as GraphqlAnswer<T>;
  if (answer.errors?.length || !answer.data) {
    const first = answer.errors?.[0];
    throw new Error(
      `GraphQL ${first?.extensions?.code ?? 'error'}: ${first?.message ?? 'no data'}`,
    );
  }
  return answer.data;
}

/** Runs `task` from `concurrency` loops for `durationMs`; counts what succeeded. `task` gets
 *  a running request number and the index of the loop that runs it. */
export async function closedLoop(
  durationMs: number,
  concurrency: number,
  task: (i: number, loop: number) => Promise<void>,
): Promise<{ ok: number; failed: number; seconds: number; firstError?: string }> {
  const started = performance.now();
  const deadline = started + durationMs;
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  let counter = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      while (performance.now() < deadline) {
        try {
          await task(counter++, loop);
          ok += 1;
        } catch (error) {
          failed += 1;
          firstError ??= (error as Error).message;
        }
      }
    }),
  );
  return { ok, failed, seconds: (performance.now() - started) / 1000, firstError };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}
