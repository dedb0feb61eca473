import { DomainError } from '@numbroker/core';

/** No such order, or not the caller's (the API does not tell the two apart). */
export class OrderNotFound extends DomainError {
  override readonly name = 'OrderNotFound';
  readonly code = 'ORDER_NOT_FOUND' as const;
  readonly apiCode = 'NOT_FOUND' as const;
  constructor(readonly orderId: string) {
    super(`order ${orderId} not found`);
  }
}

export class UserNotFound extends DomainError {
  override readonly name = 'UserNotFound';
  readonly code = 'USER_NOT_FOUND' as const;
  readonly apiCode = 'NOT_FOUND' as const;
  constructor(readonly userId: string) {
    super(`user ${userId} not found`);
  }
}

/** The same idempotency key sent again for a different purchase. */
export class IdempotencyKeyReused extends DomainError {
  override readonly name = 'IdempotencyKeyReused';
  readonly code = 'IDEMPOTENCY_KEY_REUSED' as const;
  readonly apiCode = 'BAD_USER_INPUT' as const;
  constructor(
    readonly idempotencyKey: string,
    readonly orderId: string,
  ) {
    super(
      `idempotency key "${idempotencyKey}" was already used for order ${orderId} with a different service or country`,
    );
  }
}

/** A credit reference sent again with a different amount. */
export class CreditReferenceReused extends DomainError {
  override readonly name = 'CreditReferenceReused';
  readonly code = 'CREDIT_REFERENCE_REUSED' as const;
  readonly apiCode = 'BAD_USER_INPUT' as const;
  constructor(readonly reference: string) {
    super(`credit reference "${reference}" was already used with a different amount`);
  }
}

/** The database disagrees with the domain's rules (a hold missing when it must exist). Never
 *  expected; the transaction is rolled back. */
export class StoreInvariantViolated extends DomainError {
  override readonly name = 'StoreInvariantViolated';
  readonly code = 'STORE_INVARIANT_VIOLATED' as const;
  readonly apiCode = 'INTERNAL' as const;
}
