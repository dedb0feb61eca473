export * from './money/index.js';
