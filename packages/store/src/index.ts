import 'reflect-metadata';

export * from './admin-stats-store.js';
export * from './columns.js';
export * from './database.js';
export * from './entities/index.js';
export * from './errors.js';
export * from './migrations/index.js';
export * from './offer-store.js';
export * from './order-event-listener.js';
export * from './order-snapshot.js';
export * from './order-store.js';
export * from './provider-state-store.js';
export * from './store.js';
export * from './user-store.js';
