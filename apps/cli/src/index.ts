export * from './cli-error.js';
export * from './cli.js';
export * from './command.js';
