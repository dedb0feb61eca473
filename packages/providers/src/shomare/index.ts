export { ShomareAdapter, SHOMARE_CAPABILITIES } from './adapter.js';
export { ShomareSimulator } from './simulator.js';
