/** Why the program cannot start: one line that names the key (or file) and what is wrong.
 *  The message never carries a secret value (API keys, database URLs with passwords). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';

  constructor(
    message: string,
    /** The key path (`providers[1].kind`), the environment variable, or the file at fault. */
    readonly at?: string,
  ) {
    super(message.replace(/\s*\n\s*/g, ' '));
  }
}
