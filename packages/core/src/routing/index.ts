export * from './code-rates.js';
export * from './rank-offers.js';
export * from './routing-errors.js';
export * from './purchase-plan.js';
