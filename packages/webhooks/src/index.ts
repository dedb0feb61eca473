export * from './dispatcher.js';
export * from './messages.js';
export * from './schedule.js';
export * from './secret-box.js';
export * from './sender.js';
export * from './url-guard.js';
