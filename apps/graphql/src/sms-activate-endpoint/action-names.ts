// Apart from actions.ts so the protocol export (src/protocol.ts) can list them without loading
// the use cases.
export const ACTIONS = [
  'getBalance',
  'getNumber',
  'getNumberV2',
  'getStatus',
  'setStatus',
  'getPrices',
  'getActiveActivations',
  'getBalanceAndCashBack',
  'getNumbersStatus',
  'getCountries',
  'getServicesList',
  'getOperators',
  'getStatusV2',
  'getHistory',
] as const;
export type SmsActivateAction = (typeof ACTIONS)[number];

export function isAction(value: string | undefined): value is SmsActivateAction {
  return value !== undefined && (ACTIONS as readonly string[]).includes(value);
}
