export * from './order-status.js';
export * from './order-transition.js';
