import { Field, InputType } from 'type-graphql';

@InputType('BuyNumberInput', {
  description: 'What to buy: a number for one service in one country.',
})
export class BuyNumberInput {
  @Field({ description: 'Our service slug (see `services`).' })
  service!: string;

  @Field({ description: 'ISO 3166-1 alpha-2 (see `countries`).' })
  country!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Refuse offers above this, in the platform currency.',
  })
  maxPrice?: string | null;

  @Field(() => String, { nullable: true, description: 'Force one configured provider id.' })
  provider?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Buy only numbers of this mobile operator (as `offers` list it; case-insensitive; `any`: no choice). BAD_USER_INPUT where no provider has it for the service and country.',
  })
  operator?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Same key from the same user: the same order, bought and charged once.',
  })
  idempotencyKey?: string | null;
}
