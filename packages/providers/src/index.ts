export * from './adapter.js';
export * from './errors.js';
export * from './simulator/types.js';
