export { ShizNumberAdapter } from './adapter.js';
export {
  ShizNumberSimulator,
  SHIZ_SIM_MESSAGES,
  type ShizNumberSimulatorOptions,
} from './simulator.js';
export { SHIZ_PRODUCTION_BASE_URL } from './wire.js';
