export * from './catalog/index.js';
export * from './errors.js';
export * from './money/index.js';
export * from './orders/index.js';
export * from './pricing/index.js';
export * from './routing/index.js';
export * from './wallet/index.js';
