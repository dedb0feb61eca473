import { randomInt } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProviderKind } from '../adapter.js';
export { extractCode } from './extract-code.js';
import type {
  FaultKind,
  FaultSpec,
  ProviderSimulator,
  SimActivationView,
  SimOffer,
  SimRequestLogEntry,
  SimulatorOptions,
} from './types.js';

export interface SimRequest {
  method: string;
  /** Pathname from the simulator's root (e.g. "/api/numbers/12"), without the query. */
  path: string;
  /** The path after `mountPath` ("numbers/12"); "" when the request hit the mount path itself. */
  subPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  bodyText: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** The urlencoded body, or empty. */
  form: URLSearchParams;
}

export type SimReply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; text: string; contentType?: string; headers?: Record<string, string> };

/** Thrown by a subclass's control methods for bad input; the control API answers 400. */
export class SimulatorInputError extends Error {}

const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** Sample SMS texts the demo mode delivers; `{code}` is replaced. */
const DEMO_SMS = [
  'Telegram code: {code}. Do not give this code to anyone',
  'Your WhatsApp code is {code}',
  '<#> {code} is your verification code',
  'G-{code} is your Google verification code.',
];

/**
 * The protocol-independent half of every simulator: the loopback HTTP server, the request log,
 * the scripted fault queue, the `/__sim/` control API and the demo auto-delivery. A subclass
 * speaks one upstream's protocol in `handle` and keeps that upstream's state.
 */
export abstract class SimulatorBase implements ProviderSimulator {
  readonly apiKey: string;
  protected readonly options: SimulatorOptions;
  /** Where the protocol lives under the server root: '/api/' (prefix) or '/x/handler.php' (exact). */
  protected abstract readonly mountPath: string;

  private server: Server | undefined;
  private origin: string | undefined;
  private readonly log: SimRequestLogEntry[] = [];
  private readonly faults: Array<FaultSpec & { remaining: number }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly hungResponses = new Set<ServerResponse>();
  private offlinePort: number | undefined;
  private offlineHost = '127.0.0.1';

  protected constructor(
    readonly kind: ProviderKind,
    options: SimulatorOptions = {},
  ) {
    this.options = options;
    this.apiKey = options.apiKey ?? defaultSimulatorKey(kind);
  }

  // ---- what a protocol implements -------------------------------------------------------------

  protected abstract handle(req: SimRequest): SimReply | Promise<SimReply>;
  abstract setOffer(offer: SimOffer): void;
  abstract setBalance(amount: string): void;
  abstract deliverSms(upstreamRef: string, text: string): void;
  abstract expireActivation(upstreamRef: string): void;
  abstract activation(upstreamRef: string): SimActivationView | undefined;
  /** Every activation ever bought here, by ref (for `activations()`). */
  protected abstract upstreamRefs(): string[];
  /** Back to the default stock, balance and no activations. */
  protected abstract resetState(): void;

  // ---- lifecycle --------------------------------------------------------------------------------

  get baseUrl(): string {
    if (this.origin === undefined) throw new Error(`${this.kind} simulator is not started`);
    return this.origin + this.mountPath;
  }

  get requests(): readonly SimRequestLogEntry[] {
    return this.log;
  }

  /** Every activation bought here, in any state: a test checks none is left open. */
  allActivations(): SimActivationView[] {
    return this.upstreamRefs().flatMap((ref) => this.activation(ref) ?? []);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) return this.baseUrl;
    const server = createServer((req, res) => {
      this.onRequest(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`simulator error: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.server = server;
    this.origin = `http://${hostPart}:${address.port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.clearTimers();
    await this.closeListener();
    this.offlinePort = undefined;
  }

  /** The host goes down: connections are refused (the client knows its request never left) until
   *  `goOnline()` listens again on the same port. Activations and their clocks carry on. */
  async goOffline(): Promise<void> {
    if (!this.server || this.origin === undefined) return;
    this.offlinePort = Number(new URL(this.origin).port);
    this.offlineHost = new URL(this.origin).hostname;
    await this.closeListener();
  }

  async goOnline(): Promise<void> {
    if (this.offlinePort === undefined) return;
    const port = this.offlinePort;
    this.offlinePort = undefined;
    await this.start(port, this.offlineHost);
  }

  get offline(): boolean {
    return this.offlinePort !== undefined;
  }

  private async closeListener(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const res of this.hungResponses) res.destroy();
    this.hungResponses.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  reset(): void {
    this.clearTimers();
    this.log.length = 0;
    this.faults.length = 0;
    this.resetState();
  }

  injectFault(fault: FaultSpec): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** The upstream recovers: every queued fault dropped, its state kept. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Faults still queued (a test can check that its scripted faults were all consumed). */
  get pendingFaults(): number {
    return this.faults.reduce((sum, fault) => sum + fault.remaining, 0);
  }

  // ---- helpers for subclasses ------------------------------------------------------------------

  /** Clock for expiry checks; a subclass compares activation times against it. */
  protected now(): number {
    return Date.now();
  }

  protected get activationTtlMs(): number {
    return (this.options.activationTtlSeconds ?? 1200) * 1000;
  }

  /** In demo mode, delivers a plausible SMS to `upstreamRef` a while after a buy. */
  protected scheduleAutoDelivery(upstreamRef: string): void {
    const after = this.options.autoDeliverAfterMs;
    if (after === undefined) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const view = this.activation(upstreamRef);
      if (view?.state !== 'waiting') return;
      const code = String(randomInt(10_000, 1_000_000));
      const template = DEMO_SMS[randomInt(DEMO_SMS.length)] ?? 'Your code is {code}';
      this.deliverSms(upstreamRef, template.replace('{code}', code));
    }, after);
    timer.unref();
    this.timers.add(timer);
  }

  /** A random national number after a dialing code, e.g. "79161234567" for "7". */
  protected randomPhoneDigits(dialingCode: string, nationalLength = 10): string {
    let digits = String(randomInt(1, 10));
    while (digits.length < nationalLength) digits += String(randomInt(0, 10));
    return dialingCode + digits;
  }

  protected text(text: string, status = 200): SimReply {
    return { status, text };
  }

  protected json(json: unknown, status = 200): SimReply {
    return { status, json };
  }

  // ---- the HTTP side ---------------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bodyText = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    if (url.pathname.startsWith('/__sim/')) {
      await this.handleControl(req.method ?? 'GET', url.pathname, bodyText, res);
      return;
    }
    const entry: SimRequestLogEntry = {
      method: req.method ?? 'GET',
      url: url.pathname + url.search,
      headers: flattenHeaders(req.headers),
      body: bodyText,
      at: Date.now(),
    };
    this.log.push(entry);

    const fault = this.takeFault(entry.url);
    if (fault && fault.kind !== 'lost-reply') {
      entry.fault = fault.kind;
      this.applyFault(fault, req, res);
      return;
    }

    const subPath = this.subPathOf(url.pathname);
    if (subPath === null) {
      send(res, { status: 404, text: 'Not Found' });
      return;
    }
    const contentType = String(req.headers['content-type'] ?? '');
    const simRequest: SimRequest = {
      method: entry.method,
      path: url.pathname,
      subPath,
      query: url.searchParams,
      headers: req.headers,
      bodyText,
      json: parseJsonOrUndefined(bodyText),
      form: contentType.includes('application/x-www-form-urlencoded')
        ? new URLSearchParams(bodyText)
        : new URLSearchParams(),
    };
    const reply = await this.handle(simRequest);
    if (fault) {
      // The upstream did the work (a buy bought), and its answer never reaches the client.
      entry.fault = fault.kind;
      this.hang(res);
      return;
    }
    send(res, reply);
  }

  /** Keeps the socket open and never answers; stop() destroys it. */
  private hang(res: ServerResponse): void {
    this.hungResponses.add(res);
    res.on('close', () => this.hungResponses.delete(res));
  }

  private subPathOf(pathname: string): string | null {
    const mount = this.mountPath;
    if (mount.endsWith('/')) {
      if (pathname === mount.slice(0, -1)) return '';
      return pathname.startsWith(mount) ? pathname.slice(mount.length) : null;
    }
    return pathname === mount ? '' : null;
  }

  private takeFault(pathAndQuery: string): FaultSpec | undefined {
    const index = this.faults.findIndex(
      (fault) => fault.remaining > 0 && (!fault.match || pathAndQuery.includes(fault.match)),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private applyFault(fault: FaultSpec, req: IncomingMessage, res: ServerResponse): void {
    const kind: FaultKind = fault.kind;
    switch (kind) {
      case 'http500':
        send(res, { status: 500, text: 'Internal Server Error' });
        return;
      case 'html502':
        send(res, { status: 502, text: HTML_502, contentType: 'text/html' });
        return;
      case 'timeout':
      case 'lost-reply':
        this.hang(res);
        return;
      case 'malformed':
        send(res, {
          status: 200,
          text: '{"status":"success","data":[{"id":12,"na',
          contentType: 'application/json',
        });
        return;
      case 'rate-limit':
        send(res, {
          status: 429,
          text: 'Too Many Requests',
          headers: { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
        });
        return;
      case 'reset':
        req.socket.destroy();
        return;
    }
  }

  private async handleControl(
    method: string,
    pathname: string,
    bodyText: string,
    res: ServerResponse,
  ): Promise<void> {
    const route = pathname.slice('/__sim/'.length);
    const body = (parseJsonOrUndefined(bodyText) ?? {}) as Record<string, unknown>;
    try {
      if (method === 'GET' && route === 'requests') {
        send(res, { status: 200, json: this.log });
        return;
      }
      if (method === 'GET' && route.startsWith('activation/')) {
        const view = this.activation(decodeURIComponent(route.slice('activation/'.length)));
        send(
          res,
          view
            ? { status: 200, json: view }
            : { status: 404, json: { error: 'unknown activation' } },
        );
        return;
      }
      if (method !== 'POST') {
        send(res, { status: 404, json: { error: `no control route ${method} ${pathname}` } });
        return;
      }
      switch (route) {
        case 'offer':
          this.setOffer(body as unknown as SimOffer);
          break;
        case 'balance':
          this.setBalance(requireString(body, 'amount'));
          break;
        case 'deliver':
          this.deliverSms(requireString(body, 'ref'), requireString(body, 'text'));
          break;
        case 'expire':
          this.expireActivation(requireString(body, 'ref'));
          break;
        case 'fault':
          this.injectFault(body as unknown as FaultSpec);
          break;
        case 'clear-faults':
          this.clearFaults();
          break;
        case 'reset':
          this.reset();
          break;
        default:
          send(res, { status: 404, json: { error: `no control route POST ${pathname}` } });
          return;
      }
      send(res, { status: 200, json: { ok: true } });
    } catch (error) {
      send(res, {
        status: 400,
        json: { error: error instanceof Error ? error.message : String(error) },
      });
    }
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

/** The key a simulator accepts unless told otherwise: long and distinctive, so a leak shows. */
export function defaultSimulatorKey(kind: ProviderKind): string {
  return `sim-${kind}-key-4f9c2e7a1b`;
}

function requireString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') {
    throw new SimulatorInputError(`"${key}" must be a non-empty string`);
  }
  return value;
}

function send(res: ServerResponse, reply: SimReply): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...reply.headers };
  let body: string;
  if ('json' in reply) {
    body = JSON.stringify(reply.json);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  } else {
    body = reply.text;
    headers['content-type'] ??= reply.contentType ?? 'text/plain; charset=utf-8';
  }
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(reply.status, headers);
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJsonOrUndefined(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
