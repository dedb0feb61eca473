import { DomainError } from '../errors.js';
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
