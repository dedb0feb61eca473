import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { listOffers } from '../use-cases/list-offers.js';
import { listCountries, listServices } from '../use-cases/list-catalog.js';
import type { GraphQLContext } from './context.js';
import { CountryType, OfferType, ServiceType } from './catalog.type.js';
import { MoneyType } from './money.type.js';

@Resolver()
export class CatalogResolver {
  @Query(() => [ServiceType], {
    description: 'Every service slug we know: telegram, whatsapp, ...',
  })
  services(): ServiceType[] {
    return listServices().map((service) => Object.assign(new ServiceType(), service));
  }

  @Query(() => [CountryType], { description: 'Every country by ISO 3166-1 alpha-2 code.' })
  countries(): CountryType[] {
    return listCountries().map((country) => Object.assign(new CountryType(), country));
  }

  @Query(() => [OfferType], {
    description: 'What is for sale now, priced in the platform currency, cheapest first.',
  })
  async offers(
    @Arg('service', () => String, { description: 'A service slug (see `services`).' })
    service: string,
    @Arg('country', () => String, {
      nullable: true,
      description: 'ISO 3166-1 alpha-2; every country when omitted.',
    })
    country: string | null | undefined,
    @Ctx() context: GraphQLContext,
  ): Promise<OfferType[]> {
    const offers = await listOffers(context.deps, { service, country: country ?? undefined });
    return offers.map((offer) =>
      Object.assign(new OfferType(), {
        provider: offer.providerId,
        service: offer.service,
        country: offer.country,
        operator: offer.operator ?? null,
        price: MoneyType.from(offer.price),
        stock: offer.stock,
      }),
    );
  }
}
