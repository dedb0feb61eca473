import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
// Type-only, test-only: proves provider entries fit the adapters' input without config
// depending on @numbroker/providers at runtime.
import type { ProviderAccount } from '../../providers/src/adapter.js';
import {
  ConfigError,
  exitOnConfigError,
  isCI,
  loadConfig,
  logLevel,
  parseConfig,
  testPostgresUrl,
  type Config,
} from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'nb-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

const shiz = {
  id: 'shiz',
  kind: 'shiznumber',
  baseUrl: 'https://api.shiznumber.com/api/',
  apiKey: 'k1',
};
const man = {
  id: 'man',
  kind: 'smsman',
  baseUrl: 'https://api.sms-man.com/control/',
  apiKey: 'k2',
};

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('an empty object is a working config with no providers', () => {
    const config = parseConfig({});
    expect(config).toEqual({
      database: 'sqlite:./data/numbroker.sqlite',
      databasePoolSize: 10,
      port: 4000,
      currency: 'IRT',
      exchangeRates: {},
      orderTtlSeconds: 1200,
      pollIntervalMs: 2000,
      webhookPollIntervalMs: 30_000,
      catalogSyncSeconds: 60,
      pricing: { markupPercent: '0', roundTo: '1', rules: [], maxFailoverLoss: 0 },
      routing: {
        explorationShare: 0.05,
        codeRateWindowSeconds: 3600,
        minSamples: 20,
        cancelGraceSeconds: 120,
        refreshSeconds: 30,
      },
      providers: [],
      host: '0.0.0.0',
      logLevel: 'info',
      autoMigrate: true,
      workerPort: 4001,
      workerHost: '127.0.0.1',
      metrics: { host: '127.0.0.1' },
      retention: { days: 30, everyMinutes: 60 },
      pendingReconcileSeconds: 120,
      rateLimit: { requests: 1000, windowSeconds: 10 },
      webhooks: {
        allowPrivateUrls: false,
        timeoutMs: 15000,
        retryScheduleSeconds: [5, 300, 1800, 7200, 18000, 36000, 36000],
        maxConcurrentPerEndpoint: 4,
        maxConcurrent: 256,
        pollIntervalMs: 500,
      },
    });
    expect(config.adminApiKey).toBeUndefined();
  });

  it('takes the webhooks settings and names a bad one', () => {
    expect(parseConfig({ webhooks: { allowPrivateUrls: true } }).webhooks.allowPrivateUrls).toBe(
      true,
    );
    expect(() => parseConfig({ webhooks: { allowPrivateUrls: 'yes' } })).toThrow(
      /webhooks\.allowPrivateUrls/,
    );
    expect(() => parseConfig({ webhooks: { secretKey: 'short' } })).toThrow(/webhooks\.secretKey/);
  });

  it('LOG_LEVEL sets logLevel and an unknown level stops the program naming it', () => {
    expect(parseConfig({}, { LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(parseConfig({ logLevel: 'warn' }).logLevel).toBe('warn');
    expect(() => parseConfig({}, { LOG_LEVEL: 'verbose' })).toThrow(
      /^config error at logLevel \(from LOG_LEVEL\): expected one of fatal, error, warn, info, debug, trace, silent; got "verbose"$/,
    );
  });

  it('finds a provider key inline, in the variable apiKeyEnv names or in the file apiKeyFile names', () => {
    const base = { id: 'a', kind: 'smsactivate', baseUrl: 'http://127.0.0.1:1/' };
    const keyFile = join(dir, 'provider.key');
    writeFileSync(keyFile, 'from-file\n');
    const config = parseConfig(
      {
        providers: [
          { ...base, id: 'inline', apiKey: 'inline-key' },
          { ...base, id: 'env', apiKeyEnv: 'SMSA_KEY' },
          { ...base, id: 'file', apiKeyFile: 'provider.key' },
        ],
      },
      { SMSA_KEY: 'from-env' },
      { baseDir: dir },
    );
    expect(config.providers.map((entry) => entry.apiKey)).toEqual([
      'inline-key',
      'from-env',
      'from-file',
    ]);
    expect(() => parseConfig({ providers: [{ ...base, apiKeyEnv: 'NOPE' }] }, {})).toThrow(
      'config error at providers[0].apiKeyEnv: environment variable NOPE is not set or empty',
    );
    expect(() =>
      parseConfig({ providers: [{ ...base, apiKeyFile: 'missing.key' }] }, {}, { baseDir: dir }),
    ).toThrow(
      /^config error at providers\[0\]\.apiKeyFile: cannot read .*missing\.key: no such file$/,
    );
    expect(() => parseConfig({ providers: [base] })).toThrow(
      /^config error at providers\[0\]\.apiKey: is required \(or apiKeyEnv/,
    );
    expect(() =>
      parseConfig({ providers: [{ ...base, apiKey: 'x', apiKeyEnv: 'SMSA_KEY' }] }, {}),
    ).toThrow(/give one of apiKey, apiKeyEnv, apiKeyFile; got apiKey and apiKeyEnv/);
  });

  it('a relative apiKeyFile is found beside the config file', () => {
    writeFileSync(join(dir, 'beside.key'), 'k-beside');
    const path = writeJson('with-key-file.json', {
      providers: [
        { id: 'a', kind: 'smsman', baseUrl: 'http://127.0.0.1:1/', apiKeyFile: './beside.key' },
      ],
    });
    expect(loadConfig({ file: path, env: {} }).providers[0]?.apiKey).toBe('k-beside');
  });

  it('takes a per-key rate limit and names a bad one', () => {
    expect(parseConfig({ rateLimit: { requests: 5 } }).rateLimit).toEqual({
      requests: 5,
      windowSeconds: 10,
    });
    expect(() => parseConfig({ rateLimit: { requests: 0 } })).toThrow(/rateLimit\.requests/);
  });

  it('a file with only providers works; currency and timeout default per kind', () => {
    const config = parseConfig({ providers: [shiz, man] });
    expect(config.providers).toEqual([
      { ...shiz, currency: 'IRT', timeoutMs: 10_000 },
      { ...man, currency: 'RUB', timeoutMs: 10_000 },
    ]);
    expectTypeOf(config.providers[0]!).toExtend<ProviderAccount>();
  });

  it('takes kind fivesim, in dollars unless the entry names its account currency', () => {
    const five = { id: 'five', kind: 'fivesim', baseUrl: 'https://5sim.net/v1/', apiKey: 'eyJ.x' };
    const config = parseConfig({ providers: [five, { ...five, id: 'five-rub', currency: 'RUB' }] });
    expect(config.providers.map((p) => [p.kind, p.currency])).toEqual([
      ['fivesim', 'USD'],
      ['fivesim', 'RUB'],
    ]);
  });

  it('roundTo defaults to the smallest unit of the platform currency', () => {
    expect(parseConfig({ currency: 'RUB' }).pricing.roundTo).toBe('0.01');
  });

  it('keeps the spec example as written', () => {
    const config = parseConfig({
      database: 'postgres://nb:secret@db:5432/nb',
      port: 4000,
      adminApiKey: 'change-me',
      currency: 'IRT',
      exchangeRates: { RUB: '1200', USD: '95000' },
      orderTtlSeconds: 1200,
      pollIntervalMs: 2000,
      catalogSyncSeconds: 60,
      pricing: {
        markupPercent: '15',
        roundTo: '100',
        rules: [{ provider: 'man', service: 'telegram', markupPercent: '20', markupFixed: '500' }],
      },
      providers: [
        { ...shiz, currency: 'IRT' },
        { ...man, currency: 'RUB', ratePerSecond: 5, maxConcurrent: 4, timeoutMs: 3000 },
        {
          id: 'vp',
          kind: 'verifyplus',
          baseUrl: 'http://verifyplus.net/',
          apiKey: 'x',
          prices: { RU: '3000' },
        },
      ],
    });
    expect(config.pricing.roundTo).toBe('100');
    expect(config.providers[1]).toMatchObject({
      ratePerSecond: 5,
      maxConcurrent: 4,
      timeoutMs: 3000,
    });
    expect(config.providers[2]?.prices).toEqual({ RU: '3000' });
  });
});

describe('environment overrides', () => {
  it('DATABASE_URL, PORT and NUMBROKER_ADMIN_KEY override the file', () => {
    const config = parseConfig(
      { database: 'sqlite:./a.sqlite', port: 1, adminApiKey: 'file-key' },
      {
        DATABASE_URL: 'postgres://root@127.0.0.1:5432/x',
        PORT: '8080',
        NUMBROKER_ADMIN_KEY: 'env-key',
      },
    );
    expect(config).toMatchObject({
      database: 'postgres://root@127.0.0.1:5432/x',
      port: 8080,
      adminApiKey: 'env-key',
    });
  });

  it('empty variables are ignored', () => {
    expect(parseConfig({ port: 5 }, { PORT: '' }).port).toBe(5);
  });

  it('a bad PORT names the variable', () => {
    const error = configErrorOf(() => parseConfig({}, { PORT: 'eighty' }));
    expect(error.message).toBe(
      'config error at port (from PORT): expected an integer port 0-65535; got "eighty"',
    );
  });

  it('a bad DATABASE_URL names the variable and does not echo the value', () => {
    const error = configErrorOf(() => parseConfig({}, { DATABASE_URL: 'mysql://u:hunter2@h/db' }));
    expect(error.message).toMatch(
      /^config error at database \(from DATABASE_URL\): expected "sqlite:PATH"/,
    );
    expect(error.message).not.toContain('hunter2');
  });

  it('testPostgresUrl, isCI and logLevel read their variables with defaults', () => {
    expect(testPostgresUrl({})).toBe('postgres://root@127.0.0.1:5432/test');
    expect(testPostgresUrl({ NUMBROKER_TEST_POSTGRES_URL: 'postgres://x/y' })).toBe(
      'postgres://x/y',
    );
    expect(isCI({})).toBe(false);
    expect(isCI({ CI: 'true' })).toBe(true);
    expect(isCI({ CI: '0' })).toBe(false);
    expect(logLevel({})).toBe('info');
    expect(logLevel({ LOG_LEVEL: 'DEBUG' })).toBe('debug');
    expect(() => logLevel({ LOG_LEVEL: 'loud' })).toThrow(
      'config error at logLevel (from LOG_LEVEL): expected one of fatal, error, warn, info, debug, trace, silent; got "loud"',
    );
  });
});

describe('loadConfig sources', () => {
  it('--config PATH wins over NUMBROKER_CONFIG', () => {
    const flagged = writeJson('flag.json', { port: 1111 });
    const fromEnv = writeJson('env.json', { port: 2222 });
    const argv = ['node', 'main.js', '--config', flagged];
    expect(loadConfig({ argv, env: { NUMBROKER_CONFIG: fromEnv } }).port).toBe(1111);
    expect(loadConfig({ argv: [`--config=${flagged}`], env: {} }).port).toBe(1111);
    expect(loadConfig({ argv: [], env: { NUMBROKER_CONFIG: fromEnv } }).port).toBe(2222);
  });

  it('no file at all gives the defaults, under `defaults` and env', () => {
    const config = loadConfig({
      argv: [],
      env: { PORT: '9' },
      defaults: { pollIntervalMs: 50, port: 7 },
    });
    expect(config.pollIntervalMs).toBe(50);
    expect(config.port).toBe(9);
  });

  it('file values win over `defaults`', () => {
    const file = writeJson('over.json', { pollIntervalMs: 300 });
    expect(
      loadConfig({ file, argv: [], env: {}, defaults: { pollIntervalMs: 50 } }).pollIntervalMs,
    ).toBe(300);
  });

  it('a missing file names its path', () => {
    const missing = join(dir, 'nope.json');
    const error = configErrorOf(() => loadConfig({ argv: ['--config', missing], env: {} }));
    expect(error.message).toBe(`config error: cannot read config file ${missing}: no such file`);
  });

  it('bad JSON names the path, on one line', () => {
    const path = writeJson('bad.json', '{ "port": 4000,\n  oops }');
    const error = configErrorOf(() => loadConfig({ file: path, argv: [], env: {} }));
    expect(error.message).toContain(`config error: ${path} is not valid JSON`);
    expect(error.message).not.toContain('\n');
  });

  it('a JSON array is refused', () => {
    const path = writeJson('array.json', '[]');
    expect(configErrorOf(() => loadConfig({ file: path, argv: [], env: {} })).message).toContain(
      'must hold a JSON object; got an array',
    );
  });

  it('--config without a path is an error', () => {
    expect(configErrorOf(() => loadConfig({ argv: ['--config'], env: {} })).message).toBe(
      'config error: --config needs a file path',
    );
  });
});

describe('errors name the key', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    [
      'unknown provider kind',
      { providers: [shiz, { ...man, kind: 'smsmann' }] },
      'config error at providers[1].kind: expected one of shiznumber, shomare, arzancell, verifyplus, smsman, smsactivate, fivesim; got "smsmann"',
    ],
    ['unknown top-level key', { prot: 4000 }, 'config error at prot: unknown key'],
    [
      'unknown nested key',
      { pricing: { markup: '5' } },
      'config error at pricing.markup: unknown key',
    ],
    [
      'unknown provider key',
      { providers: [{ ...shiz, token: 'x' }] },
      'config error at providers[0].token: unknown key',
    ],
    ['wrong type', { port: '4000' }, 'config error at port: expected a number; got "4000"'],
    [
      'non-integer',
      { orderTtlSeconds: 1.5 },
      'config error at orderTtlSeconds: expected an integer; got 1.5',
    ],
    [
      'too small',
      { pollIntervalMs: 0 },
      'config error at pollIntervalMs: must be at least 1; got 0',
    ],
    ['port too big', { port: 70000 }, 'config error at port: must be at most 65535; got 70000'],
    ['unknown currency', { currency: 'XYZ' }, 'config error at currency: expected one of IRT'],
    [
      'float rate',
      { exchangeRates: { RUB: 1200 } },
      'config error at exchangeRates.RUB: expected a string; got 1200',
    ],
    [
      'zero rate',
      { exchangeRates: { RUB: '0' } },
      'config error at exchangeRates.RUB: must be greater than 0',
    ],
    [
      'garbage rate',
      { exchangeRates: { RUB: '1e3' } },
      'config error at exchangeRates.RUB: expected a decimal string',
    ],
    [
      'rate for an unknown currency',
      { exchangeRates: { XXX: '5' } },
      'config error at exchangeRates.XXX',
    ],
    [
      'negative markup',
      { pricing: { markupPercent: '-5' } },
      'config error at pricing.markupPercent: must not be negative',
    ],
    [
      'roundTo too fine for IRT',
      { pricing: { roundTo: '0.5' } },
      'config error at pricing.roundTo: amount "0.5" has more than 0 decimal',
    ],
    [
      'markupFixed too fine',
      { pricing: { rules: [{ markupFixed: '1.5' }] } },
      'config error at pricing.rules[0].markupFixed',
    ],
    [
      'rule for an unknown provider',
      { providers: [shiz], pricing: { rules: [{ provider: 'nope', markupPercent: '1' }] } },
      'config error at pricing.rules[0].provider: no provider has id "nope"',
    ],
    [
      'bad country in rule',
      { pricing: { rules: [{ country: 'russia' }] } },
      'config error at pricing.rules[0].country',
    ],
    [
      'bad provider id',
      { providers: [{ ...shiz, id: 'Shiz!' }] },
      'config error at providers[0].id: expected lower-case',
    ],
    [
      'duplicate provider id',
      { providers: [shiz, { ...man, id: 'shiz' }] },
      'config error at providers[1].id: duplicate provider id "shiz" (also providers[0].id)',
    ],
    [
      'ftp baseUrl',
      { providers: [{ ...shiz, baseUrl: 'ftp://x/' }] },
      'config error at providers[0].baseUrl: expected an http or https URL',
    ],
    [
      'not a URL',
      { providers: [{ ...shiz, baseUrl: 'nope' }] },
      'config error at providers[0].baseUrl: expected an http(s) URL',
    ],
    [
      'webhookSecret on a kind without webhooks',
      { providers: [{ ...shiz, webhookSecret: 'a'.repeat(24) }] },
      'config error at providers[0].webhookSecret: only smsactivate providers push SMS by webhook; this one is "shiznumber"',
    ],
    [
      'webhookSecret too short',
      {
        providers: [
          {
            id: 'sa',
            kind: 'smsactivate',
            baseUrl: 'https://x/',
            apiKey: 'k',
            webhookSecret: 'short',
          },
        ],
      },
      'config error at providers[0].webhookSecret: expected 16 to 128 URL-safe characters',
    ],
    [
      'empty apiKey',
      { providers: [{ ...shiz, apiKey: '' }] },
      'config error at providers[0].apiKey: must not be empty',
    ],
    [
      'missing apiKey',
      { providers: [{ id: 'a', kind: 'shomare', baseUrl: 'https://x/' }] },
      'config error at providers[0].apiKey: is required',
    ],
    [
      'prices on a non-verifyplus',
      { providers: [{ ...shiz, prices: { RU: '1' } }] },
      'config error at providers[0].prices: only verifyplus',
    ],
    [
      'bad verifyplus price',
      {
        providers: [
          {
            id: 'vp',
            kind: 'verifyplus',
            baseUrl: 'http://v/',
            apiKey: 'k',
            prices: { RU: 'cheap' },
          },
        ],
      },
      'config error at providers[0].prices.RU: expected a decimal string',
    ],
    [
      'a fraction of a minor unit of failover loss',
      { pricing: { maxFailoverLoss: 2.5 } },
      'config error at pricing.maxFailoverLoss',
    ],
    [
      'a negative failover loss',
      { pricing: { maxFailoverLoss: -1 } },
      'config error at pricing.maxFailoverLoss',
    ],
    [
      'exploring most of the traffic',
      { routing: { explorationShare: 0.9 } },
      'config error at routing.explorationShare',
    ],
    [
      'an unknown routing key',
      { routing: { codeRateWindow: 60 } },
      'config error at routing.codeRateWindow: unknown key',
    ],
    ['bad database', { database: 'mysql://x' }, 'config error at database: expected "sqlite:PATH"'],
    [
      'providers not an array',
      { providers: {} },
      'config error at providers: expected an array; got an object',
    ],
  ];

  it('takes the routing and failover settings', () => {
    const config = parseConfig({
      pricing: { maxFailoverLoss: 500 },
      routing: { explorationShare: 0, cancelGraceSeconds: 0 },
    });
    expect(config.pricing.maxFailoverLoss).toBe(500);
    expect(config.routing).toMatchObject({ explorationShare: 0, cancelGraceSeconds: 0 });
  });

  it.each(cases)('%s', (_name, input, expected) => {
    const error = configErrorOf(() => parseConfig(input));
    expect(error.message.startsWith(expected)).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it('never echoes an API key', () => {
    const error = configErrorOf(() => parseConfig({ providers: [{ ...shiz, apiKey: 12345678 }] }));
    expect(error.message).toBe('config error at providers[0].apiKey: expected a string');
    const admin = configErrorOf(() => parseConfig({ adminApiKey: ['sekrit'] }));
    expect(admin.message).not.toContain('sekrit');
  });

  it('counts the further problems', () => {
    const error = configErrorOf(() => parseConfig({ port: 'x', pollIntervalMs: 'y', bogus: 1 }));
    expect(error.message).toMatch(/\(and 2 more problems\)$/);
  });
});

describe('exitOnConfigError', () => {
  function hooks() {
    const lines: string[] = [];
    const codes: number[] = [];
    return {
      lines,
      codes,
      writeError: (line: string) => lines.push(line),
      exit: (code: number): never => {
        codes.push(code);
        throw new Error('exited');
      },
    };
  }

  it('prints the one line and exits 2', () => {
    const h = hooks();
    expect(() => exitOnConfigError(() => parseConfig({ port: -1 }), h)).toThrow('exited');
    expect(h.lines).toEqual(['config error at port: must be at least 0; got -1\n']);
    expect(h.codes).toEqual([2]);
  });

  it('passes results and other errors through, sync and async', async () => {
    const h = hooks();
    const config: Config = exitOnConfigError(() => parseConfig({}), h);
    expect(config.port).toBe(4000);
    expect(() => exitOnConfigError(() => JSON.parse('{') as unknown, h)).toThrow(SyntaxError);
    await expect(exitOnConfigError(async () => 5, h)).resolves.toBe(5);
    await expect(
      exitOnConfigError(async () => {
        await Promise.resolve();
        return parseConfig({ bogus: true });
      }, h),
    ).rejects.toThrow('exited');
    expect(h.codes).toEqual([2]);
    expect(h.lines).toEqual([
      'config error at bogus: unknown key (check its spelling; unknown keys are refused)\n',
    ]);
  });
});
