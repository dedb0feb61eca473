import { ConfigError } from './config-error.js';

export interface ExitHooks {
  /** Default process.stderr.write. */
  writeError?: (line: string) => void;
  /** Default process.exit. */
  exit?: (code: number) => never;
}

/** Runs a main's start-up: a ConfigError becomes its one line on stderr and exit code 2;
 *  any other error is rethrown untouched. Works for sync and async functions. */
export function exitOnConfigError<T>(start: () => T, hooks: ExitHooks = {}): T {
  const fail = (error: unknown): never => {
    if (error instanceof ConfigError) {
      (hooks.writeError ?? ((line: string) => process.stderr.write(line)))(`${error.message}\n`);
      return (hooks.exit ?? ((code: number) => process.exit(code)))(2);
    }
    throw error;
  };
  try {
    const result = start();
    if (result instanceof Promise) return result.catch(fail) as T;
    return result;
  } catch (error) {
    return fail(error);
  }
}
