import { Field, InputType } from 'type-graphql';

@InputType('CreateUserInput')
export class CreateUserInput {
  @Field()
  name!: string;
}
