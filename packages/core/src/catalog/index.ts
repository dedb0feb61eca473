export * from './catalog.js';
export * from './catalog-errors.js';
export * from './phone-number.js';
