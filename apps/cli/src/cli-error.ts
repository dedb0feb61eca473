/** A mistake in how the command was called (unknown option, missing value): exit 2, with a
 *  pointer to the command's --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command was understood and could not be done (no such user, a file exists, the
 *  database refused): exit 1. */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
