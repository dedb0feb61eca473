import { Field, Float, Int, ObjectType } from 'type-graphql';
import { MoneyType } from './money.type.js';
import { ProviderKindEnum } from './provider-kind.enum.js';

@ObjectType('Service', { description: 'A service whose verification SMS can be received.' })
export class ServiceType {
  @Field({ description: 'Our slug: telegram, whatsapp, ...' })
  slug!: string;

  @Field({ description: 'Its name for people.' })
  name!: string;
}

@ObjectType('Country', { description: 'A country numbers can come from.' })
export class CountryType {
  @Field({ description: 'ISO 3166-1 alpha-2' })
  iso!: string;

  @Field({ description: 'Its English name.' })
  name!: string;

  @Field({ description: 'Without the "+", e.g. "7" or "98".' })
  dialingCode!: string;
}

@ObjectType('Offer', {
  description: 'A provider’s stock of numbers for one service and country, at our sell price.',
})
export class OfferType {
  @Field({ description: 'The configured provider id.' })
  provider!: string;

  @Field({ description: 'The service slug.' })
  service!: string;

  @Field({ description: 'ISO 3166-1 alpha-2' })
  country!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The mobile operator, where the provider names one.',
  })
  operator!: string | null;

  @Field(() => MoneyType, { description: 'What buying it costs, in the platform currency.' })
  price!: MoneyType;

  @Field(() => Int, { description: 'Numbers available at the provider, as last synced.' })
  stock!: number;
}

@ObjectType('Provider', { description: 'A configured upstream account (admin only).' })
export class ProviderType {
  @Field({ description: 'The configured provider id (Order.provider).' })
  id!: string;

  @Field(() => ProviderKindEnum, { description: 'The upstream protocol.' })
  kind!: ProviderKindEnum;

  @Field({ description: 'Usable now: no open breaker, no failing health check.' })
  healthy!: boolean;

  @Field(() => MoneyType, {
    nullable: true,
    description: 'Our balance at the upstream, last seen.',
  })
  balance!: MoneyType | null;

  @Field(() => Int, { description: 'Orders still open at this provider.' })
  activeOrders!: number;

  @Field(() => String, { nullable: true, description: 'The last upstream error, secret-free.' })
  lastError!: string | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Of its orders that ended within the routing window (config routing.codeRateWindowSeconds), the share that got a code (0 to 1): what routing ranks by. Expired orders and customer cancels after routing.cancelGraceSeconds count as no code; FAILED orders and earlier cancels are left out. Null when none ended. This server refreshes it every routing.refreshSeconds.',
  })
  codeRate!: number | null;

  @Field(() => Int, { description: 'How many ended orders codeRate is over.' })
  codeRateSamples!: number;
}
