export * from './config-error.js';
export * from './environment.js';
export * from './exit-on-config-error.js';
export * from './load-config.js';
export * from './schema.js';
export * from './process-guards.js';
