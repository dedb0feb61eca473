import { Field, ObjectType } from 'type-graphql';
import { PageInfoType } from './order.type.js';
import { UserType } from './user.type.js';

@ObjectType('UserEdge', { description: 'A user with its cursor.' })
export class UserEdgeType {
  @Field({ description: 'Pass as `after` to continue after this user.' })
  cursor!: string;

  @Field(() => UserType, { description: 'The user.' })
  node!: UserType;
}

@ObjectType('UserConnection', { description: 'A page of users, newest first.' })
export class UserConnectionType {
  @Field(() => [UserEdgeType], { description: 'The users with their cursors.' })
  edges!: UserEdgeType[];

  @Field(() => [UserType], { description: 'The same users as `edges`, without cursors.' })
  nodes!: UserType[];

  @Field(() => PageInfoType, { description: 'Where this page is.' })
  pageInfo!: PageInfoType;
}
