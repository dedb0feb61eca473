import { runContractSuite } from '../contract/contract-suite.js';
import { SmsActivateAdapter } from './adapter.js';
import { SmsActivateSimulator } from './simulator.js';

runContractSuite({
  kind: 'smsactivate',
  currency: 'RUB',
  createSimulator: (options) => new SmsActivateSimulator(options),
  createAdapter: (account, options) => new SmsActivateAdapter(account, options),
  sample: { service: 'telegram', country: 'RU', cost: '12.50' },
  buyRequestMatch: 'action=getNumber',
  statusRequestMatch: 'action=getStatus',
});
