import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType('ApiKey', {
  description: 'One of a user’s named API keys; the key itself is never shown again.',
})
export class ApiKeyType {
  @Field(() => ID, { description: 'Pass to revokeApiKey.' })
  id!: string;

  @Field({ description: 'What the key is for ("default" for the first one).' })
  name!: string;

  @Field({ description: 'ISO 8601' })
  createdAt!: string;

  @Field(() => String, {
    nullable: true,
    description: 'ISO 8601; set once revoked: the key no longer works.',
  })
  revokedAt!: string | null;
}

@ObjectType('CreatedApiKey', {
  description: 'A new API key: shown this once, only its hash is stored.',
})
export class CreatedApiKeyType {
  @Field(() => ApiKeyType, { description: 'The key’s record.' })
  key!: ApiKeyType;

  @Field({ description: 'The API key itself. Send it as "Authorization: Bearer <apiKey>".' })
  apiKey!: string;
}
