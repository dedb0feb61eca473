export * from './logger.js';
export * from './metrics.js';
export * from './money.js';
export * from './probe-server.js';
export * from './redact-url.js';
