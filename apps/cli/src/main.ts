#!/usr/bin/env node
/** `pnpm numbroker <command>`: the operator's CLI. */
import 'reflect-metadata';
import { processEnvironment } from '@numbroker/config';
import { runCli } from './cli.js';

const status = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: processEnvironment(),
});
process.exitCode = status;
