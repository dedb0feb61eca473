import { registerEnumType } from 'type-graphql';

/** Why an order FAILED, as a closed set (Order.failureCode); `failureReason` keeps the words. */
export enum OrderFailureCodeEnum {
  NO_NUMBERS = 'NO_NUMBERS',
  UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE',
  NOT_RECORDED = 'NOT_RECORDED',
  RECONCILED = 'RECONCILED',
  OTHER = 'OTHER',
}

registerEnumType(OrderFailureCodeEnum, {
  name: 'OrderFailureCode',
  description: 'Why an order failed.',
  valuesConfig: {
    NO_NUMBERS: { description: 'No provider had numbers for it.' },
    UPSTREAM_UNAVAILABLE: { description: 'No provider could sell (faults, refusals, throttling).' },
    NOT_RECORDED: {
      description: 'A number was bought but could not be recorded, so it was cancelled upstream.',
    },
    RECONCILED: {
      description: 'The purchase never completed (a crash mid-buy) and the worker closed it.',
    },
    OTHER: { description: 'Any other reason (see failureReason).' },
  },
});

/** The failure reasons the buy and the reconciler write, by their start (buy-number.ts,
 *  the worker's reconcile-pending.ts); a test holds them to the texts written. */
const BY_PREFIX: ReadonlyArray<[string, OrderFailureCodeEnum]> = [
  ['no provider had numbers', OrderFailureCodeEnum.NO_NUMBERS],
  ['no provider could sell', OrderFailureCodeEnum.UPSTREAM_UNAVAILABLE],
  ['the number could not be recorded', OrderFailureCodeEnum.NOT_RECORDED],
  ['the purchase did not complete', OrderFailureCodeEnum.RECONCILED],
];

export function failureCodeOf(reason: string | null): OrderFailureCodeEnum | null {
  if (reason === null) return null;
  return BY_PREFIX.find(([prefix]) => reason.startsWith(prefix))?.[1] ?? OrderFailureCodeEnum.OTHER;
}
