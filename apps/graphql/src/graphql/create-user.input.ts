import { Field, InputType } from 'type-graphql';

@InputType('CreateUserInput', { description: 'A new customer.' })
export class CreateUserInput {
  @Field({ description: 'A name for people, 1 to 200 characters.' })
  name!: string;
}
