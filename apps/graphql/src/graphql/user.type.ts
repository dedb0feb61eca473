import { Field, ID, ObjectType } from 'type-graphql';
import { MoneyType } from './money.type.js';

/** `disabled`, `createdAt`, `ledger` and `apiKeys` are resolved in user-fields.resolver.ts. */
@ObjectType('User', { description: 'A customer with a wallet in the platform currency.' })
export class UserType {
  @Field(() => ID, { description: 'The user id ("admin" for the configured admin key).' })
  id!: string;

  @Field({ description: 'A name for people; not unique.' })
  name!: string;

  @Field(() => MoneyType, {
    description: 'Available to spend; money held for open orders excluded.',
  })
  balance!: MoneyType;

  @Field(() => MoneyType, { description: 'Held for orders that have no code yet.' })
  held!: MoneyType;

  @Field({ description: 'May call the admin operations.' })
  isAdmin!: boolean;
}

@ObjectType('CreatedUser', { description: 'A new user and its first API key.' })
export class CreatedUserType {
  @Field(() => UserType, { description: 'The new user, with an empty wallet.' })
  user!: UserType;

  @Field({ description: 'The API key, shown this once; only its hash is stored.' })
  apiKey!: string;
}
