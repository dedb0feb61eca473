import type { ProviderAccount, ProviderAdapter, ProviderKind } from './adapter.js';
import type { AdapterOptions } from './http/account-client.js';
import { ArzanCellAdapter, ArzanCellSimulator } from './arzancell/index.js';
import { FiveSimAdapter, FiveSimSimulator } from './fivesim/index.js';
import { ShizNumberAdapter, ShizNumberSimulator } from './shiznumber/index.js';
import { ShomareAdapter, ShomareSimulator } from './shomare/index.js';
import type { ProviderSimulator, SimulatorOptions } from './simulator/types.js';
import { SmsActivateAdapter } from './smsactivate/adapter.js';
import { SmsActivateSimulator } from './smsactivate/simulator.js';
import { SmsManAdapter } from './smsman/adapter.js';
import { SmsManSimulator } from './smsman/simulator.js';
import { VerifyPlusAdapter } from './verifyplus/adapter.js';
import { VerifyPlusSimulator } from './verifyplus/simulator.js';

export type AdapterFactory = (
  account: ProviderAccount,
  options?: AdapterOptions,
) => ProviderAdapter;
export type SimulatorFactory = (options?: SimulatorOptions) => ProviderSimulator;

/** One line per protocol: add yours beside the others. */
const ADAPTERS: Record<ProviderKind, AdapterFactory> = {
  arzancell: (account, options) => new ArzanCellAdapter(account, options),
  fivesim: (account, options) => new FiveSimAdapter(account, options),
  shomare: (account, options) => new ShomareAdapter(account, options),
  shiznumber: (account, options) => new ShizNumberAdapter(account, options),
  smsactivate: (account, options) => new SmsActivateAdapter(account, options),
  smsman: (account, options) => new SmsManAdapter(account, options),
  verifyplus: (account, options) => new VerifyPlusAdapter(account, options),
};

const SIMULATORS: Record<ProviderKind, SimulatorFactory> = {
  arzancell: (options) => new ArzanCellSimulator(options),
  fivesim: (options) => new FiveSimSimulator(options),
  shomare: (options) => new ShomareSimulator(options),
  shiznumber: (options) => new ShizNumberSimulator(options),
  smsactivate: (options) => new SmsActivateSimulator(options),
  smsman: (options) => new SmsManSimulator(options),
  verifyplus: (options) => new VerifyPlusSimulator(options),
};

/** Kinds with an adapter in this build. */
export function supportedKinds(): ProviderKind[] {
  return Object.keys(ADAPTERS) as ProviderKind[];
}

/** The adapter for a configured account (the config has validated it already). */
export function createAdapter(account: ProviderAccount, options?: AdapterOptions): ProviderAdapter {
  const factory = ADAPTERS[account.kind];
  if (!factory) {
    throw new TypeError(`provider "${account.id}": no adapter for kind "${String(account.kind)}"`);
  }
  return factory(account, options);
}

/** A simulator of a protocol (demo, tests, benchmarks); start() it to get its baseUrl. */
export function createSimulator(kind: ProviderKind, options?: SimulatorOptions): ProviderSimulator {
  const factory = SIMULATORS[kind];
  if (!factory) throw new TypeError(`no simulator for provider kind "${String(kind)}"`);
  return factory(options);
}
