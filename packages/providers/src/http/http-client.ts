import { setTimeout as delay } from 'node:timers/promises';
import Bottleneck from 'bottleneck';
import { pino, type Logger } from 'pino';
import { Agent, request } from 'undici';
import { RateLimited, Unavailable, type ProviderOperation } from '../errors.js';
import { parseJsonLossless } from './lossless-json.js';
import { excerpt, redact } from './redact.js';

export interface HttpClientOptions {
  providerId: string;
  /** Production value from the config, or a simulator's `baseUrl` in tests. */
  baseUrl: string;
  /** Mandatory: a request without a deadline can hang a buy forever. */
  timeoutMs: number;
  /** Redacted from every message, error cause and log line (plain and URL-encoded). */
  secrets: string[];
  ratePerSecond?: number;
  maxConcurrent?: number;
  /** Retries of idempotent requests only (default 2). A non-idempotent one is never retried. */
  maxRetries?: number;
  logger?: Logger;
  /** A Retry-After longer than this is not waited out: RateLimited goes up at once (default 5 s). */
  maxRetryDelayMs?: number;
  /** Base of the exponential backoff between retries (default 150 ms, full jitter). */
  retryBaseDelayMs?: number;
  /** Requests waiting in the rate-limit queue beyond this are refused unsent (default 500). */
  maxQueued?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  operation: ProviderOperation;
  method: HttpMethod;
  /** Relative to baseUrl; '' or undefined keeps baseUrl as is. */
  path?: string;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  /** false for buy: such a request is never sent twice. */
  idempotent: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON; throws Unavailable('malformed JSON') when the body is not JSON. */
  json(): unknown;
  /** Parsed JSON with every number as its exact decimal text (see lossless-json.ts). */
  jsonLossless(): unknown;
  /** An HTML page (a proxy's or a CMS's error page) where an API answer was due. */
  isHtml: boolean;
  readonly providerId: string;
  readonly operation: ProviderOperation;
  /** The client's secrets, so helpers can build secret-free messages from the body. */
  readonly secrets: readonly string[];
}

export interface ResponseContext {
  providerId?: string;
  operation?: ProviderOperation;
  secrets?: readonly string[];
}

const DEFAULT_MAX_RETRIES = 2;
const RETRYABLE_STATUSES = new Set([502, 503, 504]);
/** Failures that happen before a single byte of the request left this process. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

class RequestTimeout extends Error {}

export class HttpClient {
  /** Only for an account with a rate or concurrency limit: Bottleneck costs about 1.5 ms of
   *  CPU per request at a few hundred requests a second (measured: 300/s with it, 1,200/s
   *  without, same loop), too much to pay for a limiter that never holds anything back. */
  private readonly limiter: Bottleneck | undefined;
  private readonly logger: Logger;
  private readonly secrets: string[];
  private readonly maxRetries: number;
  private readonly maxRetryDelayMs: number;
  private readonly retryBaseDelayMs: number;

  constructor(private readonly options: HttpClientOptions) {
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
      throw new TypeError(`HttpClient for ${options.providerId}: timeoutMs is mandatory`);
    }
    this.secrets = options.secrets.filter((secret) => secret.length > 0);
    this.maxRetries = Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 150;
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({
      provider: options.providerId,
    });
    const limited = options.maxConcurrent !== undefined || options.ratePerSecond !== undefined;
    this.limiter = limited
      ? new Bottleneck({
          maxConcurrent: options.maxConcurrent ?? null,
          minTime: options.ratePerSecond ? Math.ceil(1000 / options.ratePerSecond) : 0,
          highWater: options.maxQueued ?? 500,
          strategy: Bottleneck.strategy.OVERFLOW,
        })
      : undefined;
  }

  get providerId(): string {
    return this.options.providerId;
  }

  /** Redacts this client's secrets from any text (for adapters' own messages). */
  redact(text: string): string {
    return redact(text, this.secrets);
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const attempts = req.idempotent ? this.maxRetries + 1 : 1;
    for (let attempt = 1; ; attempt += 1) {
      const isLast = attempt >= attempts;
      let response: HttpResponse;
      try {
        response = await this.scheduleAttempt(req, attempt);
      } catch (error) {
        // A request refused before sending may always be retried; otherwise only idempotent ones.
        if (error instanceof Unavailable && !isLast) {
          await this.backoff(req, attempt, undefined, error.message);
          continue;
        }
        throw error;
      }
      if (response.status === 429) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        if (!isLast && (retryAfterMs ?? 0) <= this.maxRetryDelayMs) {
          await this.backoff(req, attempt, retryAfterMs, 'HTTP 429');
          continue;
        }
        throw new RateLimited(
          `${this.options.providerId} ${req.operation}: rate limited (HTTP 429)` +
            (retryAfterMs === undefined ? '' : `, retry after ${retryAfterMs} ms`),
          {
            providerId: this.options.providerId,
            operation: req.operation,
            httpStatus: 429,
            upstreamMessage: excerpt(response.text, this.secrets),
            retryAfterMs,
          },
        );
      }
      if (RETRYABLE_STATUSES.has(response.status) && !isLast) {
        await this.backoff(req, attempt, undefined, `HTTP ${response.status}`);
        continue;
      }
      return response;
    }
  }

  private async scheduleAttempt(req: HttpRequest, attempt: number): Promise<HttpResponse> {
    if (!this.limiter) return this.send(req, attempt);
    try {
      return await this.limiter.schedule(() => this.send(req, attempt));
    } catch (error) {
      if (error instanceof Bottleneck.BottleneckError) {
        throw new Unavailable(
          `${this.options.providerId} ${req.operation}: request refused by the local rate limiter (queue full)`,
          { providerId: this.options.providerId, operation: req.operation, surelyNotSent: true },
        );
      }
      throw error;
    }
  }

  private async send(req: HttpRequest, attempt: number): Promise<HttpResponse> {
    const { providerId } = this.options;
    const url = this.buildUrl(req);
    // Redacted only when a line is written: most requests log nothing (debug is off).
    const safeUrl = () => this.redact(url.toString());
    // Header names are case-insensitive: fold them so an adapter's "Accept" replaces the
    // default instead of being sent beside it.
    const headers: Record<string, string> = { accept: '*/*' };
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      headers[name.toLowerCase()] = value;
    }
    let body: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] ??= 'application/json';
    } else if (req.form !== undefined) {
      body = new URLSearchParams(req.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new RequestTimeout()), this.options.timeoutMs);
    const started = performance.now();
    try {
      const res = await request(url, {
        method: req.method,
        headers,
        body,
        signal: controller.signal,
        dispatcher: UPSTREAMS,
        maxRedirections: MAX_REDIRECTIONS,
      });
      const text = await res.body.text();
      const status = res.statusCode;
      const elapsedMs = Math.round(performance.now() - started);
      if (this.logger.isLevelEnabled('debug')) {
        this.logger.debug(
          {
            operation: req.operation,
            method: req.method,
            url: safeUrl(),
            status,
            attempt,
            elapsedMs,
          },
          'upstream answered',
        );
      }
      return new UpstreamResponse(
        status,
        toHeaders(res.headers),
        text,
        providerId,
        req.operation,
        this.secrets,
      );
    } catch (error) {
      const elapsedMs = Math.round(performance.now() - started);
      const failure = this.classifyFailure(error, req);
      this.logger.warn(
        {
          operation: req.operation,
          method: req.method,
          url: safeUrl(),
          attempt,
          elapsedMs,
          err: failure.message,
        },
        'upstream request failed',
      );
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  private classifyFailure(error: unknown, req: HttpRequest): Unavailable {
    const { providerId, timeoutMs } = this.options;
    const context = { providerId, operation: req.operation };
    if (error instanceof RequestTimeout || isTimeoutAbort(error)) {
      return new Unavailable(`${providerId} ${req.operation}: no answer within ${timeoutMs} ms`, {
        ...context,
        surelyNotSent: false,
      });
    }
    const codes = errorCodes(error);
    const surelyNotSent = codes.some((code) => NOT_SENT_CODES.has(code));
    const detail = this.redact(describeError(error));
    // The raw error may carry the URL (and so the key) in its fields: keep only a clean copy.
    const cause = Object.assign(new Error(detail), { code: codes[0] });
    return new Unavailable(`${providerId} ${req.operation}: ${detail}`, {
      ...context,
      surelyNotSent,
      cause,
    });
  }

  private buildUrl(req: HttpRequest): URL {
    const { baseUrl } = this.options;
    const path = (req.path ?? '').replace(/^\/+/, '');
    const url =
      path === ''
        ? new URL(baseUrl)
        : new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    for (const [name, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.append(name, String(value));
    }
    return url;
  }

  private async backoff(
    req: HttpRequest,
    attempt: number,
    retryAfterMs: number | undefined,
    reason: string,
  ): Promise<void> {
    const exponential = this.retryBaseDelayMs * 2 ** (attempt - 1);
    // Full jitter, but never sooner than the upstream asked for.
    const waitMs = Math.max(retryAfterMs ?? 0, Math.round(Math.random() * exponential));
    this.logger.info(
      { operation: req.operation, attempt, waitMs, reason: this.redact(reason) },
      'retrying idempotent upstream request',
    );
    if (waitMs > 0) await delay(waitMs);
  }
}

class UpstreamResponse implements HttpResponse {
  private parsed: { value: unknown } | undefined;
  private parsedLossless: { value: unknown } | undefined;
  readonly isHtml: boolean;

  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly text: string,
    readonly providerId: string,
    readonly operation: ProviderOperation,
    readonly secrets: readonly string[],
  ) {
    this.isHtml = looksLikeHtml(headers.get('content-type'), text);
  }

  json(): unknown {
    this.parsed ??= { value: this.parse(JSON.parse) };
    return this.parsed.value;
  }

  jsonLossless(): unknown {
    this.parsedLossless ??= { value: this.parse(parseJsonLossless) };
    return this.parsedLossless.value;
  }

  private parse(parser: (text: string) => unknown): unknown {
    try {
      return parser(this.text);
    } catch {
      throw new Unavailable(
        `${this.providerId} ${this.operation}: malformed JSON (HTTP ${this.status}): ${excerpt(this.text, this.secrets, 80)}`,
        {
          providerId: this.providerId,
          operation: this.operation,
          httpStatus: this.status,
          upstreamMessage: excerpt(this.text, this.secrets),
          surelyNotSent: false,
        },
      );
    }
  }
}

/** An Unavailable describing an unusable answer (5xx, HTML page, unexpected body): the request
 *  reached the upstream, so `surelyNotSent` is false. The caller throws it. */
export function unavailableFromResponse(
  res: HttpResponse,
  ctx: ResponseContext = {},
  what?: string,
): Unavailable {
  const providerId = ctx.providerId ?? res.providerId;
  const operation = ctx.operation ?? res.operation;
  const secrets = ctx.secrets ?? res.secrets;
  const title = res.isHtml ? /<title[^>]*>([^<]*)<\/title>/i.exec(res.text)?.[1] : undefined;
  const body = excerpt(title ?? res.text, secrets, 80);
  const kind = what ?? (res.isHtml ? 'HTML page' : 'unexpected answer');
  return new Unavailable(
    `${providerId} ${operation}: ${kind} (HTTP ${res.status})${body ? `: ${body}` : ''}`,
    {
      providerId,
      operation,
      httpStatus: res.status,
      upstreamMessage: body,
      surelyNotSent: false,
    },
  );
}

/** The body as JSON, or Unavailable when it is an HTML page or not JSON at all. */
export function expectJson(
  res: HttpResponse,
  ctx: ResponseContext & { lossless?: boolean } = {},
): unknown {
  if (res.isHtml) throw unavailableFromResponse(res, ctx);
  try {
    return ctx.lossless ? res.jsonLossless() : res.json();
  } catch (error) {
    if (error instanceof Unavailable && (ctx.providerId || ctx.operation)) {
      throw unavailableFromResponse(res, ctx, 'malformed JSON');
    }
    throw error;
  }
}

export function looksLikeHtml(contentType: string | null, text: string): boolean {
  if (contentType && /text\/html|application\/xhtml/i.test(contentType)) return true;
  return /^\s*(?:<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - Date.now());
}

/**
 * The upstreams' connections: one keep-alive pool per origin, shared by every client (as
 * fetch's global dispatcher was). undici's `request` instead of `fetch`: the buy path's
 * upstream call cost about a tenth of the server's CPU per buyNumber, most of it in fetch's
 * WHATWG machinery (Request, Response, streams), which `request` does not build.
 */
const UPSTREAMS = new Agent({ keepAliveTimeout: 10_000 });
/** As fetch's redirect: 'follow'. */
const MAX_REDIRECTIONS = 20;

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const one of value) headers.append(name, one);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

function isTimeoutAbort(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'AbortError' || error.name === 'TimeoutError') &&
    (error.cause === undefined || error.cause instanceof RequestTimeout)
  );
}

/** Every `code` in the error, its cause chain and aggregated errors (undici nests them). */
function errorCodes(error: unknown, depth = 0): string[] {
  if (depth > 5 || typeof error !== 'object' || error === null) return [];
  const codes: string[] = [];
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') codes.push(code);
  if (error instanceof AggregateError) {
    for (const inner of error.errors) codes.push(...errorCodes(inner, depth + 1));
  }
  codes.push(...errorCodes((error as { cause?: unknown }).cause, depth + 1));
  return codes;
}

function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const message = current.message || current.name;
    const code = (current as { code?: unknown }).code;
    parts.push(
      typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message,
    );
    current = current.cause;
  }
  if (parts.length === 0) parts.push(String(error));
  return parts.join(': ');
}
