import type { Money } from '@numbroker/core';
import type { AppDeps } from '../services/app-deps.js';

export interface ProviderSummary {
  id: string;
  kind: string;
  healthy: boolean;
  balance: Money | null;
  activeOrders: number;
  lastError: string | null;
  /** Of its orders that ended in the routing window, the share that got a code; null when
   *  none did. The figure routing ranks by, over all its routes. */
  codeRate: number | null;
  codeRateSamples: number;
}

/** Admin view of every configured provider account, from what the worker records. */
export async function listProviders(deps: AppDeps): Promise<ProviderSummary[]> {
  const [states, open, codeRates] = await Promise.all([
    deps.store.providerStates(),
    deps.store.countOpenOrdersByProvider(),
    deps.codeRates.get(),
  ]);
  return deps.config.providers.map((account) => {
    const state = states.get(account.id);
    const rate = codeRates.provider(account.id);
    return {
      id: account.id,
      kind: account.kind,
      healthy: state?.healthy ?? true,
      balance: state?.balance ?? null,
      activeOrders: open.get(account.id) ?? 0,
      lastError: state?.lastError ?? null,
      codeRate: rate.codeRate ?? null,
      codeRateSamples: rate.samples,
    };
  });
}
