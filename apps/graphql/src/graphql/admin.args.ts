import { ArgsType, Field, ID, Int } from 'type-graphql';
import { AuditActionEnum } from './audit.type.js';
import { OrderStatusEnum } from './order-status.enum.js';

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size, 1 to 100 (default 20).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: '`endCursor` of the previous page.' })
  after?: string | null;
}

@ArgsType()
export class UsersArgs extends PageArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Part of the name (case-insensitive), or a user id exactly.',
  })
  search?: string | null;
}

@ArgsType()
export class AdminOrdersArgs extends PageArgs {
  @Field(() => OrderStatusEnum, { nullable: true, description: 'Only orders in this status.' })
  status?: OrderStatusEnum | null;

  @Field(() => ID, { nullable: true, description: 'Only this user’s orders.' })
  userId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only orders of this provider id.' })
  provider?: string | null;
}

@ArgsType()
export class AuditLogArgs extends PageArgs {
  @Field(() => AuditActionEnum, { nullable: true, description: 'Only this action.' })
  action?: AuditActionEnum | null;

  @Field(() => ID, { nullable: true, description: 'Only what this actor did.' })
  actorId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Only changes to this target (a user id, key id, …).',
  })
  targetId?: string | null;
}
