import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedCall {
  /** Path with the query string. */
  url: string;
  /** When the request reached the proxy and when the upstream's answer was sent back. */
  startedAt: number;
  endedAt: number;
  status: number;
}

/**
 * A loopback HTTP proxy in front of a simulator that records when each call started AND
 * ended (the simulator's own log has arrival times only), and can hold matching calls for a
 * while before forwarding them, so that two callers asking at once are bound to overlap.
 */
export class RecordingProxy {
  readonly calls: ProxiedCall[] = [];
  private server: Server | undefined;
  private origin: string | undefined;

  constructor(
    private readonly target: URL,
    private readonly hold: { match: string; ms: number } | undefined = undefined,
  ) {}

  /** Starts on 127.0.0.1:0; returns the proxy's equivalent of the target URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const startedAt = Date.now();
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = req.url ?? '/';
        const delay = this.hold && url.includes(this.hold.match) ? this.hold.ms : 0;
        setTimeout(() => {
          this.forward(req, Buffer.concat(chunks), (status, headers, body) => {
            res.writeHead(status, headers);
            res.end(body, () => this.calls.push({ url, startedAt, endedAt: Date.now(), status }));
          });
        }, delay);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.origin + this.target.pathname + this.target.search;
  }

  private forward(
    req: IncomingMessage,
    body: Buffer,
    reply: (status: number, headers: Record<string, string>, body: Buffer) => void,
  ): void {
    const upstream = request(
      {
        host: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: this.target.host },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          const contentType = res.headers['content-type'];
          if (contentType) headers['content-type'] = contentType;
          reply(res.statusCode ?? 502, headers, Buffer.concat(parts));
        });
      },
    );
    upstream.on('error', () => reply(502, { 'content-type': 'text/plain' }, Buffer.from('proxy')));
    upstream.end(body);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}

/** Pairs of calls matching `keyOf` (same key) whose [start, end] intervals overlap. */
export function overlappingCalls(
  calls: readonly ProxiedCall[],
  keyOf: (call: ProxiedCall) => string | undefined,
): Array<[ProxiedCall, ProxiedCall]> {
  const byKey = new Map<string, ProxiedCall[]>();
  for (const call of calls) {
    const key = keyOf(call);
    if (key === undefined) continue;
    const list = byKey.get(key) ?? [];
    list.push(call);
    byKey.set(key, list);
  }
  const overlaps: Array<[ProxiedCall, ProxiedCall]> = [];
  for (const list of byKey.values()) {
    const sorted = [...list].sort((a, b) => a.startedAt - b.startedAt);
    // The call that ends last among those started so far: any later start before its end overlaps.
    let longest: ProxiedCall | undefined;
    for (const call of sorted) {
      if (longest && call.startedAt < longest.endedAt) overlaps.push([longest, call]);
      if (!longest || call.endedAt > longest.endedAt) longest = call;
    }
  }
  return overlaps;
}
