import { BadUserInput, DomainError } from '../errors.js';
import type { Money } from '../money/index.js';

/** No healthy provider has stock for the service and country (or the forced provider has
 *  none). */
export class NoNumbersAvailable extends DomainError {
  override readonly name = 'NoNumbersAvailable';
  readonly code = 'NO_NUMBERS' as const;
  readonly apiCode = 'NO_NUMBERS' as const;
  constructor(
    readonly service: string,
    readonly country: string,
    readonly provider?: string,
  ) {
    super(
      `no numbers available for ${service} in ${country}${provider === undefined ? '' : ` from provider ${provider}`}`,
    );
  }
}

/** There are numbers, but every one costs more than the buyer's `maxPrice`. */
export class PriceAboveMax extends DomainError {
  override readonly name = 'PriceAboveMax';
  readonly code = 'PRICE_ABOVE_MAX' as const;
  readonly apiCode = 'PRICE_ABOVE_MAX' as const;
  constructor(
    readonly maxPrice: Money,
    readonly cheapest: Money,
  ) {
    super(
      `the cheapest offer costs ${cheapest.format()} ${cheapest.currency}, above maxPrice ${maxPrice.format()}`,
    );
  }
}

/** The buyer chose an operator that no provider (or not the forced one) lists for the service
 *  and country: BAD_USER_INPUT, naming it and the operators there are. */
export class UnknownOperator extends BadUserInput {
  override readonly name = 'UnknownOperator';
  constructor(
    readonly operator: string,
    readonly service: string,
    readonly country: string,
    readonly knownOperators: readonly string[],
    readonly provider?: string,
  ) {
    super(
      'UNKNOWN_OPERATOR',
      (provider === undefined
        ? `no provider has operator "${operator}"`
        : `provider ${provider} has no operator "${operator}"`) +
        ` for ${service} in ${country}` +
        (knownOperators.length === 0
          ? ' (its offers name no operator)'
          : ` (operators: ${knownOperators.join(', ')})`),
    );
  }
}
