export * from './databases.js';
export * from './inspect.js';
