export * from './code-rate-window.js';
export * from './rank-offers.js';
export * from './routing-errors.js';
