export * from './adapter.js';
export * from './errors.js';
export * from './simulator/types.js';
export * from './simulator/harness.js';
export * from './http/index.js';
export * from './registry.js';
export { SmsActivateAdapter } from './smsactivate/adapter.js';
export { SmsActivateSimulator, type SmsActivateSimulatorOptions } from './smsactivate/simulator.js';
