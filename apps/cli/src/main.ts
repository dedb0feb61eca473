#!/usr/bin/env node
/** `pnpm numbroker <command>`: the operator's CLI. */
import 'reflect-metadata';
import { processEnvironment } from '@numbroker/config';
import { runCli } from './cli.js';

// `numbroker --help | head` closes the pipe early: that is the reader's choice, not an error
// worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const status = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: processEnvironment(),
});
process.exitCode = status;
