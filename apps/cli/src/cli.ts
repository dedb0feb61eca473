import { ConfigError } from '@numbroker/config';
import { DomainError } from '@numbroker/core';
import { BackupRefused, MigrationsPending } from '@numbroker/store';
import { CommandFailed, EXIT, UsageError } from './cli-error.js';
import { parseCommandArgs, type Command, type CommandIo } from './command.js';
import { backupCommand } from './commands/backup.js';
import { checkConfigCommand } from './commands/check-config.js';
import { migrateCommand } from './commands/migrate.js';
import { pruneCommand } from './commands/prune.js';
import { userCreateCommand } from './commands/user-create.js';
import { userCreditCommand } from './commands/user-credit.js';

export const COMMANDS: readonly Command[] = [
  migrateCommand,
  userCreateCommand,
  userCreditCommand,
  backupCommand,
  checkConfigCommand,
  pruneCommand,
];

export interface CliIo extends CommandIo {
  err: (line: string) => void;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.words.join(' ').length));
  return [
    'usage: numbroker <command> [options]   (pnpm numbroker <command> from the repo root)',
    '',
    'Operates a numbroker installation; reads the same config as the server and the worker.',
    '',
    'commands:',
    ...COMMANDS.map((command) => `  ${command.words.join(' ').padEnd(width)}  ${command.summary}`),
    '',
    'numbroker <command> --help tells more. Exit status: 0 done, 1 failed, 2 bad usage or config.',
  ].join('\n');
}

function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  for (const command of COMMANDS) {
    if (command.words.every((word, index) => argv[index] === word)) {
      return { command, rest: argv.slice(command.words.length) };
    }
  }
  return undefined;
}

/** Runs one command line; resolves with the exit status. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(overview());
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = COMMANDS.filter((command) => command.words[0] === argv[0]);
    const hint =
      group.length > 0
        ? `; "${argv[0]}" takes one of: ${group.map((command) => command.words[1]).join(', ')}`
        : '; see numbroker --help';
    io.err(`numbroker: unknown command "${argv.slice(0, 2).join(' ')}"${hint}`);
    return EXIT.usage;
  }
  const { command, rest } = found;
  const name = command.words.join(' ');
  try {
    const values = parseCommandArgs(command, rest);
    if (values.help) {
      io.out(command.help);
      return EXIT.ok;
    }
    await command.run(values, io);
    return EXIT.ok;
  } catch (error) {
    return report(error, name, io);
  }
}

function report(error: unknown, name: string, io: CliIo): number {
  if (error instanceof UsageError) {
    io.err(`numbroker ${name}: ${error.message} (numbroker ${name} --help)`);
    return EXIT.usage;
  }
  if (error instanceof ConfigError) {
    io.err(`numbroker ${name}: ${error.message}`);
    return EXIT.usage;
  }
  if (
    error instanceof CommandFailed ||
    error instanceof DomainError ||
    error instanceof MigrationsPending ||
    error instanceof BackupRefused
  ) {
    io.err(`numbroker ${name}: ${error.message}`);
    return EXIT.failed;
  }
  // The database or the system refused (unreachable, disk full, permissions): one line, the
  // driver's message (which never carries the database URL).
  const message = error instanceof Error ? error.message : String(error);
  io.err(`numbroker ${name}: failed: ${message.split('\n')[0]}`);
  if (io.env.NUMBROKER_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
  return EXIT.failed;
}
