import { Field, Int, ObjectType } from 'type-graphql';
import { MoneyType } from './money.type.js';

@ObjectType('Service')
export class ServiceType {
  @Field({ description: 'Our slug: telegram, whatsapp, ...' })
  slug!: string;

  @Field()
  name!: string;
}

@ObjectType('Country')
export class CountryType {
  @Field({ description: 'ISO 3166-1 alpha-2' })
  iso!: string;

  @Field()
  name!: string;

  @Field({ description: 'Without the "+", e.g. "7" or "98".' })
  dialingCode!: string;
}

@ObjectType('Offer')
export class OfferType {
  @Field({ description: 'The configured provider id.' })
  provider!: string;

  @Field()
  service!: string;

  @Field()
  country!: string;

  @Field(() => String, { nullable: true })
  operator!: string | null;

  @Field(() => MoneyType, { description: 'What buying it costs, in the platform currency.' })
  price!: MoneyType;

  @Field(() => Int)
  stock!: number;
}

@ObjectType('Provider')
export class ProviderType {
  @Field()
  id!: string;

  @Field()
  kind!: string;

  @Field()
  healthy!: boolean;

  @Field(() => MoneyType, {
    nullable: true,
    description: 'Our balance at the upstream, last seen.',
  })
  balance!: MoneyType | null;

  @Field(() => Int)
  activeOrders!: number;

  @Field(() => String, { nullable: true, description: 'The last upstream error, secret-free.' })
  lastError!: string | null;
}
