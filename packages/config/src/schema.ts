import {
  CURRENCY_EXPONENTS,
  isCurrencyCode,
  Money,
  parseDecimal,
  type CurrencyCode,
} from '@numbroker/core';
import { PROVIDER_KINDS, type ProviderKind } from '@numbroker/providers';
import { z } from 'zod';
import { LOG_LEVELS } from './environment.js';

/** The upstream protocols numbroker speaks: the providers registry's, so a config can only
 *  name a kind this build has an adapter for. */
export { PROVIDER_KINDS, type ProviderKind };

export const DEFAULT_PROVIDER_CURRENCY: Readonly<Record<ProviderKind, CurrencyCode>> = {
  shiznumber: 'IRT',
  shomare: 'IRT',
  arzancell: 'IRT',
  verifyplus: 'IRT',
  smsman: 'RUB',
  smsactivate: 'RUB',
  // 5sim's own answers name no currency; current accounts are in dollars (protocols/5sim.md).
  fivesim: 'USD',
};

export const DEFAULTS = {
  database: 'sqlite:./data/numbroker.sqlite',
  databasePoolSize: 10,
  port: 4000,
  currency: 'IRT',
  orderTtlSeconds: 1200,
  pollIntervalMs: 2000,
  webhookPollIntervalMs: 30_000,
  catalogSyncSeconds: 60,
  markupPercent: '0',
  providerTimeoutMs: 10_000,
  /** Every interface: the API is what the server is for (put it behind a proxy). */
  host: '0.0.0.0',
  /** The worker's /healthz, /readyz and /metrics: loopback unless configured otherwise. */
  workerHost: '127.0.0.1',
  workerPort: 4001,
  /** The separate metrics listener of the server, when `metrics.port` is set. */
  metricsHost: '127.0.0.1',
  logLevel: 'info',
  autoMigrate: true,
  /** Order events, upstream attempts and idempotency keys older than this are pruned. */
  retentionDays: 30,
  retentionEveryMinutes: 60,
  pendingReconcileSeconds: 120,
  /** Per API key, over GraphQL and the SMS-Activate endpoint together. */
  rateLimit: { requests: 1000, windowSeconds: 10 },
  webhooks: {
    allowPrivateUrls: false,
    timeoutMs: 15_000,
    /** After each failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; then FAILED. */
    retryScheduleSeconds: [5, 300, 1800, 7200, 18000, 36000, 36000],
    maxConcurrentPerEndpoint: 4,
    maxConcurrent: 256,
    pollIntervalMs: 500,
  },
  /** See README "Routing". */
  routing: {
    explorationShare: 0.05,
    codeRateWindowSeconds: 3600,
    minSamples: 20,
    cancelGraceSeconds: 120,
    refreshSeconds: 30,
  },
  maxFailoverLoss: 0,
} as const;

const PROVIDER_ID = /^[a-z0-9][a-z0-9_-]*$/;
const ISO_COUNTRY = /^[A-Z]{2}$/;

function decimalProblem(text: string, sign: 'positive' | 'non-negative'): string | undefined {
  let units: bigint;
  try {
    units = parseDecimal(text).units;
  } catch {
    return `expected a decimal string such as "12.5"; got ${JSON.stringify(text)}`;
  }
  if (sign === 'positive' && units <= 0n) return `must be greater than 0; got "${text}"`;
  if (sign === 'non-negative' && units < 0n) return `must not be negative; got "${text}"`;
  return undefined;
}

/** A decimal string, never a JSON number: amounts and rates must not pass through a float. */
const decimalString = (sign: 'positive' | 'non-negative') =>
  z.string().superRefine((text, ctx) => {
    const problem = decimalProblem(text, sign);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const positiveInt = (max = Number.MAX_SAFE_INTEGER) => z.number().int().min(1).max(max);

const httpUrl = z.string().superRefine((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `expected an http(s) URL; got ${JSON.stringify(text)}`,
    });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({
      code: 'custom',
      message: `expected an http or https URL; got "${url.protocol}"`,
    });
  }
});

const databaseUrl = z.string().superRefine((text, ctx) => {
  if (/^sqlite:.+/.test(text)) return;
  if (/^postgres(ql)?:\/\/.+/.test(text)) {
    try {
      new URL(text);
      return;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a valid postgres:// URL' });
      return;
    }
  }
  // The value may hold a password: describe it, never echo it.
  ctx.addIssue({
    code: 'custom',
    message: 'expected "sqlite:PATH", "sqlite::memory:" or a postgres:// URL',
  });
});

const currencyCode = z.string().superRefine((text, ctx) => {
  if (!isCurrencyCode(text)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected one of ${Object.keys(CURRENCY_EXPONENTS).join(', ')}; got ${JSON.stringify(text)}`,
    });
  }
});

const pricingRule = z.strictObject({
  provider: z.string().min(1).optional(),
  service: z.string().min(1).optional(),
  country: z
    .string()
    .regex(ISO_COUNTRY, 'expected an ISO 3166-1 alpha-2 code such as "RU"')
    .optional(),
  markupPercent: decimalString('non-negative').optional(),
  /** Added after the percentage, in the platform currency. */
  markupFixed: decimalString('non-negative').optional(),
});

const pricing = z.strictObject({
  markupPercent: decimalString('non-negative').default(DEFAULTS.markupPercent),
  /** In the platform currency; defaults to its smallest unit. */
  roundTo: decimalString('positive').optional(),
  rules: z.array(pricingRule).default([]),
  /** Minor units of the platform currency one order may lose when a provider whose upstream
   *  cost is above the held price steps in on failover. 0: such offers are skipped. */
  maxFailoverLoss: z
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .default(DEFAULTS.maxFailoverLoss),
});

/** Success-rate routing (README "Routing"). */
const routing = z.strictObject({
  /** Share of purchases that try a non-best provider first, so its code rate stays known. */
  explorationShare: z.number().min(0).max(0.5).default(DEFAULTS.routing.explorationShare),
  /** The sliding window a code rate is over: orders that ended this recently. */
  codeRateWindowSeconds: positiveInt(30 * 86_400).default(DEFAULTS.routing.codeRateWindowSeconds),
  /** Below this many ended orders a route's code rate is not trusted (a neutral 0.5 ranks). */
  minSamples: positiveInt(1_000_000).default(DEFAULTS.routing.minSamples),
  /** A customer's cancel this soon after buying is not counted against the provider. */
  cancelGraceSeconds: z
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(DEFAULTS.routing.cancelGraceSeconds),
  /** How stale the server's copy of the code rates may get (one grouped read per refresh). */
  refreshSeconds: positiveInt(3600).default(DEFAULTS.routing.refreshSeconds),
});

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const provider = z.strictObject({
  id: z
    .string()
    .regex(PROVIDER_ID, `expected lower-case letters, digits, "-" or "_" (${PROVIDER_ID.source})`),
  kind: z.enum(PROVIDER_KINDS),
  baseUrl: httpUrl,
  /** The key inline, or where to find it: exactly one of the three (resolved in parseConfig). */
  apiKey: z.string().min(1, 'must not be empty').optional(),
  apiKeyEnv: z.string().regex(ENV_NAME, 'expected an environment variable name').optional(),
  apiKeyFile: z.string().min(1, 'must not be empty').optional(),
  currency: currencyCode.optional(),
  prices: z
    .record(
      z.string().regex(ISO_COUNTRY, 'expected an ISO 3166-1 alpha-2 country code such as "RU"'),
      decimalString('positive'),
    )
    .optional(),
  timeoutMs: positiveInt(600_000).default(DEFAULTS.providerTimeoutMs),
  /** Turns on upstream SMS webhooks: the server accepts this provider's callbacks at
   *  `POST /webhooks/upstream/<id>/<webhookSecret>` (the secret is the only credential). */
  webhookSecret: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]{16,128}$/,
      'expected 16 to 128 URL-safe characters (letters, digits, "-", "_")',
    )
    .optional(),
  ratePerSecond: z.number().positive().optional(),
  maxConcurrent: positiveInt().optional(),
});

const port = z.number().int().min(0).max(65_535);
const host = z.string().min(1, 'must not be empty');

/** The kinds whose upstreams push SMS to a webhook (SMS-Activate, HeroSMS). */
const WEBHOOK_KINDS: readonly ProviderKind[] = ['smsactivate'];

export const configSchema = z
  .strictObject({
    database: databaseUrl.default(DEFAULTS.database),
    /** Postgres: connections per process (each server and each worker). */
    databasePoolSize: positiveInt(1000).default(DEFAULTS.databasePoolSize),
    port: port.default(DEFAULTS.port),
    host: host.default(DEFAULTS.host),
    logLevel: z.enum(LOG_LEVELS).default(DEFAULTS.logLevel),
    /** false: only `numbroker migrate` migrates; the server and the worker refuse to start on a
     *  database with pending migrations. */
    autoMigrate: z.boolean().default(DEFAULTS.autoMigrate),
    adminApiKey: z.string().min(1, 'must not be empty').optional(),
    currency: currencyCode.default(DEFAULTS.currency),
    exchangeRates: z
      .record(
        z.string().superRefine((code, ctx) => {
          if (!isCurrencyCode(code)) {
            ctx.addIssue({ code: 'custom', message: `"${code}" is not a known currency code` });
          }
        }),
        decimalString('positive'),
      )
      .default({}),
    orderTtlSeconds: positiveInt().default(DEFAULTS.orderTtlSeconds),
    pollIntervalMs: positiveInt().default(DEFAULTS.pollIntervalMs),
    /** How often orders of a provider with a `webhookSecret` are still polled: the safety net
     *  for a webhook that never came (never faster than pollIntervalMs). */
    webhookPollIntervalMs: positiveInt().default(DEFAULTS.webhookPollIntervalMs),
    catalogSyncSeconds: positiveInt().default(DEFAULTS.catalogSyncSeconds),
    pricing: pricing.prefault({}),
    routing: routing.prefault({}),
    providers: z.array(provider).default([]),
    /** The worker's probe and metrics listener; null: none. 0: any free port (tests). */
    workerPort: port.nullable().default(DEFAULTS.workerPort),
    workerHost: host.default(DEFAULTS.workerHost),
    /** The worker's /readyz fails when no poll pass has finished for this long (default:
     *  60 s or 30 poll intervals, whichever is longer). */
    workerStallSeconds: positiveInt().optional(),
    metrics: z
      .strictObject({
        /** /metrics then needs `Authorization: Bearer <token>` (server and worker). */
        token: z.string().min(8, 'must be at least 8 characters').optional(),
        /** The server serves /metrics on this port (at `metrics.host`) instead of its API
         *  port. */
        port: port.optional(),
        host: host.default(DEFAULTS.metricsHost),
      })
      .prefault({}),
    retention: z
      .strictObject({
        /** 0: keep everything. */
        days: z.number().int().min(0).max(36_500).default(DEFAULTS.retentionDays),
        everyMinutes: positiveInt(7 * 24 * 60).default(DEFAULTS.retentionEveryMinutes),
      })
      .prefault({}),
    pendingReconcileSeconds: positiveInt().default(DEFAULTS.pendingReconcileSeconds),
    rateLimit: z
      .strictObject({
        requests: positiveInt().default(DEFAULTS.rateLimit.requests),
        windowSeconds: positiveInt(3600).default(DEFAULTS.rateLimit.windowSeconds),
      })
      .prefault({}),
    /** Customer webhooks (SPEC "Webhooks to customers"). */
    webhooks: z
      .strictObject({
        /** Tests and the demo: allow loopback and private addresses. */
        allowPrivateUrls: z.boolean().default(DEFAULTS.webhooks.allowPrivateUrls),
        /** Key material sealing the stored signing secrets (default: adminApiKey). */
        secretKey: z.string().min(16, 'must be at least 16 characters').optional(),
        timeoutMs: positiveInt(60_000).default(DEFAULTS.webhooks.timeoutMs),
        retryScheduleSeconds: z
          .array(
            z
              .number()
              .int()
              .min(0)
              .max(7 * 86_400),
          )
          .max(20)
          .default([...DEFAULTS.webhooks.retryScheduleSeconds]),
        maxConcurrentPerEndpoint: positiveInt(100).default(
          DEFAULTS.webhooks.maxConcurrentPerEndpoint,
        ),
        maxConcurrent: positiveInt(10_000).default(DEFAULTS.webhooks.maxConcurrent),
        pollIntervalMs: positiveInt(60_000).default(DEFAULTS.webhooks.pollIntervalMs),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.providers.forEach((entry, index) => {
      const sources = (['apiKey', 'apiKeyEnv', 'apiKeyFile'] as const).filter(
        (key) => entry[key] !== undefined,
      );
      if (sources.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['providers', index, sources[1] ?? 'apiKey'],
          message:
            sources.length === 0
              ? 'is required (or apiKeyEnv: a variable holding it, or apiKeyFile: a file holding it)'
              : `give one of apiKey, apiKeyEnv, apiKeyFile; got ${sources.join(' and ')}`,
        });
      }
      const first = seen.get(entry.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['providers', index, 'id'],
          message: `duplicate provider id "${entry.id}" (also providers[${first}].id)`,
        });
      } else {
        seen.set(entry.id, index);
      }
      if (entry.webhookSecret !== undefined && !WEBHOOK_KINDS.includes(entry.kind)) {
        ctx.addIssue({
          code: 'custom',
          path: ['providers', index, 'webhookSecret'],
          message: `only ${WEBHOOK_KINDS.join(', ')} providers push SMS by webhook; this one is "${entry.kind}"`,
        });
      }
      const currency = entry.currency ?? DEFAULT_PROVIDER_CURRENCY[entry.kind];
      if (entry.prices !== undefined) {
        if (entry.kind !== 'verifyplus') {
          ctx.addIssue({
            code: 'custom',
            path: ['providers', index, 'prices'],
            message: `only verifyplus providers take a price table; this one is "${entry.kind}"`,
          });
        }
        for (const [country, price] of Object.entries(entry.prices)) {
          const problem = moneyProblem(price, currency);
          if (problem) {
            ctx.addIssue({
              code: 'custom',
              path: ['providers', index, 'prices', country],
              message: problem,
            });
          }
        }
      }
    });
    const platform = config.currency;
    if (config.pricing.roundTo !== undefined) {
      const problem = moneyProblem(config.pricing.roundTo, platform);
      if (problem) ctx.addIssue({ code: 'custom', path: ['pricing', 'roundTo'], message: problem });
    }
    config.pricing.rules.forEach((rule, index) => {
      if (rule.markupFixed !== undefined) {
        const problem = moneyProblem(rule.markupFixed, platform, { allowZero: true });
        if (problem) {
          ctx.addIssue({
            code: 'custom',
            path: ['pricing', 'rules', index, 'markupFixed'],
            message: problem,
          });
        }
      }
      if (rule.provider !== undefined && !seen.has(rule.provider)) {
        ctx.addIssue({
          code: 'custom',
          path: ['pricing', 'rules', index, 'provider'],
          message: `no provider has id "${rule.provider}"`,
        });
      }
    });
  })
  .transform((config) => {
    const currency = config.currency as CurrencyCode;
    return {
      ...config,
      currency,
      pricing: {
        ...config.pricing,
        roundTo: config.pricing.roundTo ?? Money.ofMinor(1n, currency).format(),
      },
      providers: config.providers.map((entry) => ({
        ...entry,
        currency: (entry.currency ?? DEFAULT_PROVIDER_CURRENCY[entry.kind]) as CurrencyCode,
      })),
    };
  });

/** An amount in `currency` that must fit its minor unit (and be positive unless allowed). */
function moneyProblem(
  text: string,
  currency: string,
  options: { allowZero?: boolean } = {},
): string | undefined {
  try {
    const money = Money.parse(text, currency);
    return money.isZero() && !options.allowZero
      ? `must be greater than 0; got "${text}"`
      : undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** What the JSON file may hold (every key optional). */
export type ConfigInput = z.input<typeof configSchema>;

type ParsedConfig = z.output<typeof configSchema>;

/** A provider account with its key found (inline, from its variable or from its file). */
export type ProviderConfig = ParsedConfig['providers'][number] & { apiKey: string };

/** The validated configuration, every default filled in, every provider key resolved. */
export type Config = Omit<ParsedConfig, 'providers'> & { providers: ProviderConfig[] };
export type PricingConfig = Config['pricing'];
export type RoutingConfig = Config['routing'];
export type PricingRuleConfig = PricingConfig['rules'][number];
