export { ArzanCellAdapter, ARZANCELL_CAPABILITIES } from './adapter.js';
export { ArzanCellSimulator } from './simulator.js';
