export { SMSMAN_CAPABILITIES, SmsManAdapter } from './adapter.js';
export { SmsManSimulator } from './simulator.js';
