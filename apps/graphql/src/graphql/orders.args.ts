import { ArgsType, Field, Int } from 'type-graphql';
import { OrderStatusEnum } from './order-status.enum.js';

@ArgsType()
export class OrdersArgs {
  @Field(() => Int, { nullable: true, description: 'Page size, 1 to 100 (default 20).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: '`endCursor` of the previous page.' })
  after?: string | null;

  @Field(() => OrderStatusEnum, { nullable: true, description: 'Only orders in this status.' })
  status?: OrderStatusEnum | null;
}
