import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { Config } from '@numbroker/config';
import type { ProviderAdapter } from '@numbroker/providers';
import {
  metricsAuthorized,
  recordMoneyMovement,
  redactUrl,
  safeReadiness,
  startProbeServer,
  type ProbeServer,
  type Readiness,
} from '@numbroker/observability';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FormattedExecutionResult,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import {
  checkDatabaseHealth,
  countOpenOrders,
  listenForOrderEvents,
  type Store,
} from '@numbroker/store';
import { pinoHttp } from 'pino-http';
import { WebhookSecretBox } from '@numbroker/webhooks';
import { WebSocketServer } from 'ws';
import { AuthRevocation } from './auth/auth-revocation.js';
import { createAuthenticator } from './auth/authenticate.js';
import {
  createRateLimiter,
  DEFAULT_RATE_LIMIT,
  RateLimitExceeded,
  type RateLimitOptions,
} from './auth/rate-limit.js';
import type { Viewer } from './auth/viewer.js';
import { ApiError } from './errors/api-error.js';
import { mapError, toGraphQLFormattedError } from './errors/to-graphql-error.js';
import { dashboardRouter, findDashboardDist } from './dashboard/serve-dashboard.js';
import { graphiqlRouter, findGraphiqlDist, wantsHtml } from './graphiql/serve-graphiql.js';
import { buildGraphQLSchema } from './graphql/build-schema.js';
import type { GraphQLContext } from './graphql/context.js';
import { createLoaders } from './graphql/loaders.js';
import { createLogger } from './observability/logger.js';
import { createMetrics, type ServerMetrics } from './observability/metrics.js';
import { createApiStore } from './services/store-api-store.js';
import { createSmsActivateRouter } from './sms-activate-endpoint/index.js';
import type { AppDeps } from './services/app-deps.js';
import { CodeRates } from './services/code-rates.js';
import { OutboxTail } from './subscriptions/outbox-tail.js';
import { createUpstreamWebhookRouter, UPSTREAM_WEBHOOK_PATH } from './upstream-webhooks/router.js';
import { createOrderEventsPubSub } from './subscriptions/topics.js';
import {
  checkQueryLimits,
  DEFAULT_QUERY_LIMITS,
  queryLimitsRule,
  type QueryLimits,
} from './validation/query-limits.js';

export interface CreateServerOptions {
  config: Config;
  /** The opened store (@numbroker/store `Store.open`), migrations run. */
  store: Store;
  /** The configured provider accounts' adapters. */
  adapters: ReadonlyMap<string, ProviderAdapter> | readonly ProviderAdapter[];
  logger?: Logger;
  /** Overrides `config.host` (tests: 127.0.0.1). */
  host?: string;
  /** Overrides `config.port` (tests: 0). */
  port?: number;
  rateLimit?: RateLimitOptions;
  queryLimits?: QueryLimits;
  /** Outbox poll gap when nothing wakes the tail (default 25 ms; Postgres: 1000 ms + NOTIFY). */
  outboxPollMs?: number;
  /** How often another process's key revocations are looked for (default 1000 ms). */
  authPollMs?: number;
  /** The Vite build of @numbroker/graphiql (default: found through the package). */
  graphiqlDir?: string;
  /** The Vite build of @numbroker/dashboard, served at /admin (default: found through the package). */
  dashboardDir?: string;
  now?: () => Date;
  /** Routing's exploration draw, uniform in [0, 1) (default Math.random). */
  random?: () => number;
}

export interface NumbrokerServer {
  /** http://host:port, without a path. */
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  port: number;
  deps: AppDeps;
  metrics: ServerMetrics;
  /** The separate metrics listener's URL, when `metrics.port` is set. */
  metricsUrl: string | undefined;
  /** From now on /readyz answers 503 (a load balancer takes the server out); requests are
   *  still served. close() drains too. */
  drain(): void;
  close(): Promise<void>;
}

type WsExtra = { viewer: Viewer };

const GRAPHQL_PATH = '/graphql';
const SMS_ACTIVATE_PATH = '/stubs/handler_api.php';

function errorBody(code: string, message: string, extra: Record<string, unknown> = {}) {
  return { errors: [{ message, extensions: { code, ...extra } }] };
}

const HTTP_STATUS_BY_CODE: Partial<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
};

/** Express 5 + Apollo Server 5 + graphql-ws on one HTTP server and one port: /graphql (HTTP and
 *  WebSocket), /healthz, /metrics, the GraphiQL page and the SMS-Activate endpoint. */
export async function createServer(options: CreateServerOptions): Promise<NumbrokerServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger();
  const adapters = new Map(
    Array.isArray(options.adapters)
      ? (options.adapters as readonly ProviderAdapter[]).map(
          (adapter) => [adapter.id, adapter] as const,
        )
      : [...(options.adapters as ReadonlyMap<string, ProviderAdapter>)],
  );
  const store = createApiStore(options.store);
  const metrics = createMetrics({ countOpenOrders: () => countOpenOrders(options.store.db) });
  const stopMoneyLog = options.store.moneyMovements.on((movement) =>
    recordMoneyMovement(logger, metrics.money, movement),
  );
  const pubSub = createOrderEventsPubSub((error) =>
    logger.error({ err: error }, 'a subscriber failed to take an event'),
  );
  const isPostgres = options.store.kind === 'postgres';
  const tail = new OutboxTail({
    pubSub,
    logger: logger.child({ component: 'outbox-tail' }),
    readEventsAfter: (afterId, limit) => store.eventsAfter(afterId, limit),
    latestEventId: () => store.latestEventId(),
    // SQLite: another process's events (the worker's) are seen only by polling; at 25 ms the
    // indexed read costs little and keeps the delivery p99 of the bench under 100 ms.
    pollIntervalMs: options.outboxPollMs ?? (isPostgres ? 1000 : 25),
    onEvent: (event) => {
      const now = Date.now();
      metrics.outboxLag.observe(Math.max(0, now - event.createdAt.getTime()) / 1000);
      if (event.sms) {
        metrics.smsDelivery.observe(Math.max(0, now - event.sms.receivedAt.getTime()) / 1000);
      }
    },
    ...(isPostgres
      ? {
          listen: async (wake: () => void) => {
            const listener = await listenForOrderEvents(config.database, wake, (error) =>
              logger.warn({ err: error }, 'outbox LISTEN connection error; polling continues'),
            );
            return () => listener.close();
          },
        }
      : {}),
  });
  const revocation = new AuthRevocation({
    generation: () => options.store.apiKeys.generation(),
    stillValid: (keyIds) => options.store.apiKeys.stillValid(keyIds),
    clearCache: () => store.clearApiKeyCache(),
    logger: logger.child({ component: 'auth-revocation' }),
    ...(options.authPollMs !== undefined ? { pollMs: options.authPollMs } : {}),
  });
  const codeRates = new CodeRates({
    load: (query) => options.store.routeOutcomes.outcomes(query),
    windowMs: config.routing.codeRateWindowSeconds * 1000,
    cancelGraceMs: config.routing.cancelGraceSeconds * 1000,
    refreshMs: config.routing.refreshSeconds * 1000,
    minSamples: config.routing.minSamples,
    logger: logger.child({ component: 'code-rates' }),
  });
  const deps: AppDeps = {
    config,
    console: options.store,
    authChanged: () => revocation.checkNow(),
    webhookSecrets: WebhookSecretBox.fromConfig(config).box,
    store,
    adapters,
    pubSub,
    metrics,
    logger,
    now: options.now ?? (() => new Date()),
    random: options.random ?? Math.random,
    codeRates,
    wakeOutboxTail: () => tail.wake(),
  };

  const authenticate = createAuthenticator({
    adminApiKey: config.adminApiKey,
    findUserByApiKey: (apiKey) => store.findUserByApiKey(apiKey),
  });
  const rateLimit = createRateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const queryLimits = options.queryLimits ?? DEFAULT_QUERY_LIMITS;
  const limitsRule = queryLimitsRule(queryLimits);
  const schema = await buildGraphQLSchema();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const httpServer = http.createServer(app);
  let listening = false;
  let draining = false;

  app.use(accessLog(logger));
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = knownRoute(req.path);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method, route }, seconds);
    });
    next();
  });

  const readiness = async (): Promise<Readiness> => {
    const database = await checkDatabaseHealth(options.store.db);
    const checks: Record<string, string> = { database: database.detail };
    if (draining) checks.draining = 'stopping';
    else if (!listening) checks.starting = 'not listening yet';
    return { ready: database.migrationsCurrent && listening && !draining, checks };
  };
  // Liveness: the process answers. Readiness: it can serve (database, schema, not draining).
  app.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const state = await safeReadiness(readiness);
    res
      .status(state.ready ? 200 : 503)
      .json({ status: state.ready ? 'ready' : 'not ready', checks: state.checks });
  });
  const metricsToken = config.metrics.token;
  if (config.metrics.port === undefined) {
    app.get('/metrics', async (req, res, next) => {
      if (!metricsAuthorized(req.headers.authorization, metricsToken)) {
        res.set('WWW-Authenticate', 'Bearer').status(401).end();
        return;
      }
      try {
        res
          .set('Content-Type', metrics.registry.contentType)
          .send(await metrics.registry.metrics());
      } catch (error) {
        next(error);
      }
    });
  }

  const graphiql = graphiqlRouter(options.graphiqlDir ?? findGraphiqlDist());
  app.use('/graphiql', graphiql.assets);
  const dashboard = dashboardRouter(options.dashboardDir ?? findDashboardDist());
  app.get(['/admin', '/admin/'], dashboard.page);
  app.use('/admin', dashboard.assets);
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.get(GRAPHQL_PATH, (req, res, next) =>
    wantsHtml(req) ? graphiql.page(req, res, next) : next(),
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    validationRules: [limitsRule],
    formatError: (formatted, error) => toGraphQLFormattedError(formatted, error, logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      operationMetricsPlugin(metrics),
      queryLimitsPlugin(queryLimits),
    ],
  });
  await apollo.start();

  app.use(
    GRAPHQL_PATH,
    express.json({ limit: '256kb' }),
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const viewer = await authenticate(req.headers.authorization);
        await rateLimit(viewer.rateLimitKey);
        res.locals.viewer = viewer;
        next();
      } catch (error) {
        sendApiError(res, error, next);
      }
    },
    expressMiddleware(apollo, {
      context: async ({ res }) => ({
        viewer: res.locals.viewer as Viewer,
        deps,
        loaders: createLoaders(store, { cache: true, console: options.store }),
        logger,
      }),
    }),
  );

  // SMS-Activate's protocol over the same users, wallets, orders and per-key rate limit.
  app.use(
    SMS_ACTIVATE_PATH,
    createSmsActivateRouter(deps, { store: options.store, authenticate, rateLimit }),
  );

  // Upstream SMS callbacks (providers with a webhookSecret).
  app.use(UPSTREAM_WEBHOOK_PATH, createUpstreamWebhookRouter(deps));

  // Bad JSON, oversized bodies and anything thrown before GraphQL: a 4xx or a masked 500,
  // never a crash and never a stack trace.
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const status = httpStatusOf(error);
    if (status !== undefined && status >= 400 && status < 500) {
      const message =
        error instanceof SyntaxError ? 'the request body is not valid JSON' : 'malformed request';
      res.status(status).json(errorBody('BAD_REQUEST', message));
      return;
    }
    logger.error({ err: error }, 'unhandled error in an HTTP request');
    res.status(500).json(errorBody('INTERNAL_SERVER_ERROR', 'Internal server error'));
  });

  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  wsServer.on('error', (error) => logger.error({ err: error }, 'WebSocket server error'));
  const stopPinging = keepSocketsAlive(wsServer);
  const wsCleanup = useServer<{ authorization?: unknown }, WsExtra>(
    {
      schema,
      // A connection_init without a valid key: returning false closes the socket with 4403.
      onConnect: async (ctx) => {
        try {
          const viewer = await authenticate(ctx.connectionParams?.authorization);
          ctx.extra.viewer = viewer;
          if (viewer.kind === 'user') revocation.track(ctx.extra.socket, viewer.keyId);
          return true;
        } catch (error) {
          if (!(error instanceof ApiError))
            logger.error({ err: error }, 'WebSocket authentication failed');
          return false;
        }
      },
      onClose: (ctx) => {
        revocation.untrack(ctx.extra.socket);
      },
      onSubscribe: async (ctx, _id, payload) => {
        // graphql-ws parses outside its error path: a syntax error there would close the whole
        // socket (4500) and every other subscription on it. Answer this one id instead.
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          if (!(error instanceof GraphQLError)) throw error;
          return [
            new GraphQLError(error.message, {
              extensions: { code: 'GRAPHQL_PARSE_FAILED' },
            }),
          ];
        }
        const viewer = ctx.extra.viewer;
        if (!viewer)
          return [
            new GraphQLError('not authenticated', { extensions: { code: 'UNAUTHENTICATED' } }),
          ];
        // Complexity with the variables: `first: $n` counts as n (validation saw no variables).
        const refused = checkQueryLimits(
          schema,
          document,
          payload.operationName,
          payload.variables,
          queryLimits,
        );
        if (refused.length > 0) return refused;
        try {
          await rateLimit(viewer.rateLimitKey);
        } catch (error) {
          const mapped = mapError(error);
          if (mapped)
            return [new GraphQLError(mapped.message, { extensions: { code: mapped.code } })];
          throw error;
        }
        return undefined;
      },
      context: (ctx): GraphQLContext => ({
        viewer: ctx.extra.viewer as Viewer,
        deps,
        loaders: createLoaders(store, { cache: false, console: options.store }),
        logger,
      }),
      validate: (validationSchema, document) =>
        validate(validationSchema, document, [...specifiedRules, limitsRule]),
      onNext: (_ctx, _id, _payload, _args, result): FormattedExecutionResult | void => {
        if (!result.errors?.length) return;
        return {
          ...result,
          errors: result.errors.map((error) =>
            toGraphQLFormattedError(error.toJSON(), error, logger),
          ),
        };
      },
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((error) => toGraphQLFormattedError(error.toJSON(), error, logger)),
    },
    wsServer,
  );

  await tail.start();
  // The first buys rank by code rate too (the read never throws: it logs and goes neutral).
  await codeRates.refresh();
  await revocation.start();
  // Behind a proxy that keeps idle upstream connections (nginx `keepalive`), Node must not
  // close one first: a request the proxy sends on it at that moment would fail with a 502.
  httpServer.keepAliveTimeout = HTTP_KEEP_ALIVE_MS;
  httpServer.headersTimeout = HTTP_KEEP_ALIVE_MS + 1000;
  const port = await new Promise<number>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? config.port, options.host ?? config.host, () => {
      httpServer.off('error', reject);
      resolve((httpServer.address() as AddressInfo).port);
    });
  });
  listening = true;
  let metricsServer: ProbeServer | undefined;
  if (config.metrics.port !== undefined) {
    metricsServer = await startProbeServer({
      host: config.metrics.host,
      port: config.metrics.port,
      registry: metrics.registry,
      ...(metricsToken ? { metricsToken } : {}),
    });
    logger.info({ url: `${metricsServer.url}/metrics` }, 'metrics served on their own port');
  }
  const boundHost = options.host ?? config.host;
  const host = boundHost === '0.0.0.0' || boundHost === '::' ? '127.0.0.1' : boundHost;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url: `${url}${GRAPHQL_PATH}` }, 'numbroker GraphQL server listening');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      draining = true;
      revocation.stop();
      stopMoneyLog();
      stopPinging();
      await metricsServer?.close();
      await tail.stop();
      // Closes every socket (subscribers get a close frame), then drains HTTP.
      await wsCleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      await apollo.stop();
      if (httpServer.listening) {
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      }
      await store.flush();
      logger.info('numbroker GraphQL server stopped');
    })();
    return closing;
  };

  return {
    url,
    graphqlUrl: `${url}${GRAPHQL_PATH}`,
    wsUrl: `${url.replace(/^http/, 'ws')}${GRAPHQL_PATH}`,
    port,
    deps,
    metrics,
    metricsUrl: metricsServer?.url,
    drain: () => {
      draining = true;
    },
    close,
  };
}

function sendApiError(res: Response, error: unknown, next: NextFunction): void {
  const mapped = mapError(error);
  if (!mapped) return next(error);
  if (error instanceof RateLimitExceeded) res.set('Retry-After', String(error.retryAfterSeconds));
  res.status(HTTP_STATUS_BY_CODE[mapped.code] ?? 400).json(errorBody(mapped.code, mapped.message));
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status =
    (error as { status?: unknown; statusCode?: unknown }).status ??
    (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Longer than the idle timeout of a proxy's upstream keep-alive (nginx default 60 s). */
const HTTP_KEEP_ALIVE_MS = 65_000;
/** Well under a proxy's read timeout (nginx proxy_read_timeout, 60 s by default), so an idle
 *  subscription is never cut by the proxy; a socket that missed a pong is dropped. */
const WS_PING_MS = 25_000;

/** Pings every WebSocket every WS_PING_MS; one that did not answer the last ping is closed
 *  (a peer gone without a FIN: its subscriptions end instead of lingering). */
function keepSocketsAlive(wsServer: WebSocketServer): () => void {
  const alive = new WeakMap<object, boolean>();
  wsServer.on('connection', (socket) => {
    alive.set(socket, true);
    socket.on('pong', () => alive.set(socket, true));
  });
  const timer = setInterval(() => {
    for (const socket of wsServer.clients) {
      if (alive.get(socket) === false) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, WS_PING_MS);
  timer.unref();
  return () => clearInterval(timer);
}

const PLAIN_ROUTES = new Set([GRAPHQL_PATH, '/healthz', '/readyz', '/metrics']);
const PROBE_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One access-log line per request (pino-http) with a request id: the caller's `X-Request-Id`
 * when it is a sane token (a proxy's), else a fresh UUID, echoed in the response header. URLs
 * are logged with key-carrying query values censored (SMS-Activate's api_key, GraphiQL's key);
 * probes and scrapes are not logged.
 */
function accessLog(logger: Logger) {
  return pinoHttp({
    logger: logger.child({ component: 'http' }),
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    autoLogging: { ignore: (req) => PROBE_ROUTES.has((req.url ?? '').split('?')[0] ?? '') },
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

function knownRoute(path: string): string {
  if (PLAIN_ROUTES.has(path)) return path;
  if (path.startsWith('/graphiql/')) return '/graphiql';
  if (path === '/admin' || path.startsWith('/admin/')) return '/admin';
  if (path.startsWith('/stubs/')) return '/stubs/handler_api.php';
  // Never the path itself: it holds the provider's webhook secret.
  if (path.startsWith(`${UPSTREAM_WEBHOOK_PATH}/`)) return UPSTREAM_WEBHOOK_PATH;
  return 'other';
}

/** Measures each HTTP operation again with its variables before it runs. */
function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, request, schema }) {
          const [refused] = checkQueryLimits(
            schema,
            document,
            operationName,
            request.variables,
            limits,
          );
          if (refused) throw refused;
        },
      };
    },
  };
}

function operationMetricsPlugin(metrics: ServerMetrics): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, errors, response }) {
          const hasErrors =
            (errors?.length ?? 0) > 0 ||
            (response.body.kind === 'single' &&
              (response.body.singleResult.errors?.length ?? 0) > 0);
          metrics.graphqlOperations.inc({
            type: operation?.operation ?? 'unknown',
            outcome: hasErrors ? 'error' : 'ok',
          });
        },
      };
    },
  };
}
