import { Field, ID, ObjectType } from 'type-graphql';
import { MoneyType } from './money.type.js';

@ObjectType('User')
export class UserType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => MoneyType, {
    description: 'Available to spend; money held for open orders excluded.',
  })
  balance!: MoneyType;

  @Field(() => MoneyType, { description: 'Held for orders that have no code yet.' })
  held!: MoneyType;
}

@ObjectType('CreatedUser')
export class CreatedUserType {
  @Field(() => UserType)
  user!: UserType;

  @Field({ description: 'The API key, shown this once; only its hash is stored.' })
  apiKey!: string;
}
