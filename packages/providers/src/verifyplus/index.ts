export { VERIFYPLUS_CAPABILITIES, VerifyPlusAdapter } from './adapter.js';
export { VerifyPlusSimulator } from './simulator.js';
export {
  VERIFYPLUS_COUNTRIES,
  VERIFYPLUS_PRODUCTS,
  type VerifyPlusCountry,
  type VerifyPlusProduct,
} from './mapping.js';
