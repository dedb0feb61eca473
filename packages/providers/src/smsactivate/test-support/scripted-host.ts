import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedReply {
  /** Default 200. */
  status?: number;
  body: string;
  /** Default: JSON when the body starts with { or [, else text/plain. */
  type?: string;
}

/** A host that answers each request with the next scripted reply (500 when none is left):
 *  for the answers no simulator dialect gives. `seen` holds each request's path and query. */
export interface ScriptedHost {
  baseUrl: string;
  replies: ScriptedReply[];
  seen: string[];
  close(): Promise<void>;
}

export async function startScriptedHost(): Promise<ScriptedHost> {
  const replies: ScriptedReply[] = [];
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const reply = replies.shift() ?? { status: 500, body: 'no reply scripted' };
    const isJson = reply.body.startsWith('{') || reply.body.startsWith('[');
    res.writeHead(reply.status ?? 200, {
      'content-type': reply.type ?? (isJson ? 'application/json' : 'text/plain'),
    });
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/stubs/handler_api.php`,
    replies,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
