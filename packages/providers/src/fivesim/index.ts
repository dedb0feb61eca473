export { FIVESIM_CAPABILITIES, FiveSimAdapter } from './adapter.js';
export { FiveSimSimulator, type FiveSimSimulatorOptions } from './simulator.js';
