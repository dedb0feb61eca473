export * from './account-client.js';
export * from './http-client.js';
export * from './lossless-json.js';
export * from './redact.js';
export * from './upstream-money.js';
