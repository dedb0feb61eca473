export * from './adapter.js';
export * from './errors.js';
export * from './simulator/types.js';
export * from './simulator/harness.js';
export * from './http/index.js';
export * from './registry.js';
export { SmsActivateAdapter } from './smsactivate/adapter.js';
export {
  SMS_ACTIVATE_DIALECTS,
  SmsActivateSimulator,
  type SmsActivateDialect,
  type SmsActivatePricesShape,
  type SmsActivateSimulatorOptions,
} from './smsactivate/simulator.js';
// SMS-Activate's id tables: the server's compatible endpoint speaks the same protocol as a host.
export { COUNTRY_ID_TO_ISO, SERVICE_CODE_TO_SLUG } from './smsactivate/mapping.js';
export { FiveSimAdapter, FiveSimSimulator, type FiveSimSimulatorOptions } from './fivesim/index.js';
export * from './upstream-webhooks.js';
