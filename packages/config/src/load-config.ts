import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import type { Environment } from './environment.js';
import { configSchema, type Config, type ConfigInput, type ProviderConfig } from './schema.js';

/** Environment variables that override single keys of the file. */
export const ENV_OVERRIDES = {
  DATABASE_URL: 'database',
  PORT: 'port',
  NUMBROKER_ADMIN_KEY: 'adminApiKey',
  LOG_LEVEL: 'logLevel',
} as const;

/** Keys whose values are secret (or may hold one, like a database URL with a password):
 *  an error about them describes the problem without echoing the value. */
const SECRET_KEYS = new Set(['apiKey', 'adminApiKey', 'database', 'token']);

export interface LoadConfigOptions {
  /** Command-line arguments searched for `--config PATH` / `--config=PATH` (default process.argv). */
  argv?: readonly string[];
  /** Default process.env. */
  env?: Environment;
  /** An explicit file path; wins over `--config` and `NUMBROKER_CONFIG`. */
  file?: string;
  /** Values under the file's own (shallow: a key the file sets replaces the default's whole key). */
  defaults?: Partial<ConfigInput>;
}

/** Reads the config file (if any is named), applies the environment overrides and validates. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const path =
    options.file ??
    configPathFromArgv(options.argv ?? process.argv) ??
    nonEmpty(env.NUMBROKER_CONFIG);
  const fromFile = path === undefined ? {} : readConfigFile(path);
  if (!isPlainObject(fromFile)) {
    throw new ConfigError(
      `config error: ${path ?? 'config'} must hold a JSON object; got ${describe(fromFile)}`,
      path,
    );
  }
  return parseConfig({ ...options.defaults, ...fromFile }, env, {
    baseDir: path === undefined ? process.cwd() : dirname(resolve(path)),
  });
}

export interface ParseConfigOptions {
  /** Where a relative `apiKeyFile` is found (loadConfig: the config file's directory). */
  baseDir?: string;
}

/** Validates an already-parsed JSON value (tests, the demo), applying the environment overrides
 *  and finding each provider's key (inline, `apiKeyEnv` or `apiKeyFile`). */
export function parseConfig(
  json: unknown,
  env: Environment = {},
  options: ParseConfigOptions = {},
): Config {
  if (!isPlainObject(json)) {
    throw new ConfigError(`config error: the config must be a JSON object; got ${describe(json)}`);
  }
  const { merged, fromEnv } = applyEnvOverrides(json, env);
  const result = configSchema.safeParse(merged);
  if (result.success) {
    const baseDir = options.baseDir ?? process.cwd();
    return {
      ...result.data,
      providers: result.data.providers.map((entry, index) =>
        resolveProviderKey(entry, index, env, baseDir),
      ),
    };
  }
  const [first, ...rest] = result.error.issues;
  if (!first) throw new ConfigError('config error: invalid configuration');
  throw issueToError(first, merged, fromEnv, rest.length);
}

/** A provider's key: inline, from the environment variable it names, or from the file it names
 *  (trailing newline dropped). Errors name the variable or file, never the key. */
function resolveProviderKey(
  entry: Omit<ProviderConfig, 'apiKey'> & { apiKey?: string | undefined },
  index: number,
  env: Environment,
  baseDir: string,
): ProviderConfig {
  if (entry.apiKey !== undefined) return { ...entry, apiKey: entry.apiKey };
  if (entry.apiKeyEnv !== undefined) {
    const value = env[entry.apiKeyEnv]?.trim();
    if (!value) {
      throw new ConfigError(
        `config error at providers[${index}].apiKeyEnv: environment variable ${entry.apiKeyEnv} is not set or empty`,
        `providers[${index}].apiKeyEnv`,
      );
    }
    return { ...entry, apiKey: value };
  }
  const file = entry.apiKeyFile ?? '';
  const absolute = isAbsolute(file) ? file : resolve(baseDir, file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `config error at providers[${index}].apiKeyFile: cannot read ${absolute}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`,
      `providers[${index}].apiKeyFile`,
    );
  }
  const value = text.replace(/\r?\n$/, '').trim();
  if (!value) {
    throw new ConfigError(
      `config error at providers[${index}].apiKeyFile: ${absolute} is empty`,
      `providers[${index}].apiKeyFile`,
    );
  }
  return { ...entry, apiKey: value };
}

/** `--config PATH` or `--config=PATH` anywhere in argv. */
export function configPathFromArgv(argv: readonly string[]): string | undefined {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--config') {
      const next = argv[index + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new ConfigError('config error: --config needs a file path', '--config');
      }
      return next;
    }
    if (arg?.startsWith('--config=')) {
      const value = arg.slice('--config='.length);
      if (!value) throw new ConfigError('config error: --config needs a file path', '--config');
      return value;
    }
  }
  return undefined;
}

function readConfigFile(path: string): unknown {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (code ?? String(error));
    throw new ConfigError(`config error: cannot read config file ${absolute}: ${why}`, absolute);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`config error: ${absolute} is not valid JSON: ${why}`, absolute);
  }
}

function applyEnvOverrides(
  json: Record<string, unknown>,
  env: Environment,
): { merged: Record<string, unknown>; fromEnv: Map<string, string> } {
  const merged = { ...json };
  const fromEnv = new Map<string, string>();
  for (const [variable, key] of Object.entries(ENV_OVERRIDES)) {
    const value = nonEmpty(env[variable]);
    if (value === undefined) continue;
    fromEnv.set(key, variable);
    if (key === 'port') {
      if (!/^\d{1,5}$/.test(value)) {
        throw new ConfigError(
          `config error at port (from PORT): expected an integer port 0-65535; got ${JSON.stringify(value)}`,
          'PORT',
        );
      }
      merged[key] = Number(value);
    } else if (key === 'logLevel') {
      merged[key] = value.toLowerCase();
    } else {
      merged[key] = value;
    }
  }
  return { merged, fromEnv };
}

function issueToError(
  issue: z.core.$ZodIssue,
  input: unknown,
  fromEnv: Map<string, string>,
  more: number,
): ConfigError {
  const path: PropertyKey[] = [...issue.path];
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const where = formatPath(path);
  const variable = path.length === 1 ? fromEnv.get(String(path[0])) : undefined;
  const source = variable ? ` (from ${variable})` : '';
  const suffix = more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''})` : '';
  const value = valueAt(input, path);
  const secret = path.some((segment) => SECRET_KEYS.has(String(segment)));
  const message = describeIssue(issue, value, secret);
  return new ConfigError(
    `config error at ${where || '(root)'}${source}: ${message}${suffix}`,
    where,
  );
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown, secret: boolean): string {
  const got = secret ? '' : `; got ${describe(value)}`;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is required';
      return `expected ${article(issue.expected)}${got}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((option) => String(option)).join(', ')}${got}`;
    case 'unrecognized_keys':
      return 'unknown key (check its spelling; unknown keys are refused)';
    case 'too_small':
      if (issue.origin === 'string' || issue.origin === 'array') {
        return issue.message.startsWith('Too small')
          ? `must not be empty${got}`
          : `${issue.message}${got}`;
      }
      return `must be at least ${String(issue.minimum)}${got}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}${got}`;
    case 'invalid_format':
      return issue.message.startsWith('Invalid')
        ? `has the wrong format${got}`
        : `${issue.message}${got}`;
    case 'invalid_key':
      return `bad key: ${issue.issues[0]?.message ?? issue.message}`;
    case 'custom':
      return issue.message;
    case 'invalid_union':
    case 'invalid_element':
    case 'not_multiple_of':
      return issue.message;
  }
}

const EXPECTED_NAMES: Readonly<Record<string, string>> = {
  int: 'an integer',
  object: 'an object',
  array: 'an array',
};

function article(expected: string): string {
  return EXPECTED_NAMES[expected] ?? `a ${expected}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) {
      text += text ? `.${segment}` : segment;
    } else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return typeof value === 'object' ? 'an object' : typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
