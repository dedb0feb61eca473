import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type Config, type Environment } from '@numbroker/config';
import { UsageError } from './cli-error.js';

export interface CommandIo {
  out: (line: string) => void;
  env: Environment;
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  /** The words that name it: ["user", "create"]. */
  words: readonly string[];
  summary: string;
  /** Usage line and option descriptions, printed by --help. */
  help: string;
  options: Options;
  run(values: Record<string, string | boolean | undefined>, io: CommandIo): Promise<void>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: Options = {
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const COMMON_HELP = `  --config PATH   the config file (default: $NUMBROKER_CONFIG; without either, the defaults)
  -h, --help      this help`;

/** Strict parse of a command's arguments: unknown options and stray words are usage errors. */
export function parseCommandArgs(
  command: Command,
  args: readonly string[],
): Record<string, string | boolean | undefined> {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...COMMON_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0 && !values.help) {
      throw new UsageError(`unexpected argument "${positionals[0]}"`);
    }
    return values as Record<string, string | boolean | undefined>;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // node:util's messages are one line and name the option ("Unknown option '--nmae'…").
    const message = error instanceof Error ? error.message : String(error);
    // Some of its messages run over several lines: keep the error to one.
    throw new UsageError(
      message
        .replace(/\. To specify a positional argument.*$/s, '')
        .split('\n')
        .map((part) => part.trim())
        .filter(Boolean)
        .join(' '),
    );
  }
}

/** The config the server and the worker would read, from `--config` or NUMBROKER_CONFIG. */
export function configOf(values: Record<string, unknown>, io: CommandIo): Config {
  const file = typeof values.config === 'string' ? values.config : undefined;
  return loadConfig({ ...(file ? { file } : {}), argv: [], env: io.env });
}

/** A required string option, or a usage error naming it. */
export function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError(`--${name} is required`);
  }
  return value;
}
