export * from './ledger-entry.js';
export * from './wallet-errors.js';
