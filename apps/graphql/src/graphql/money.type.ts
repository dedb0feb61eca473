import type { Money } from '@numbroker/core';
import { Field, ObjectType } from 'type-graphql';

@ObjectType('Money', { description: 'An exact amount: a decimal string, never a float.' })
export class MoneyType {
  @Field({ description: 'Decimal string in `currency`, e.g. "64400" or "12.50".' })
  amount!: string;

  @Field({ description: 'ISO 4217-style code (IRT for toman).' })
  currency!: string;

  static from(money: Money): MoneyType {
    return Object.assign(new MoneyType(), { amount: money.format(), currency: money.currency });
  }
}
