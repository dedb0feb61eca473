import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { MoneyType } from './money.type.js';
import { PageInfoType } from './order.type.js';

/** Mirrors the store's AUDIT_ACTIONS (a test keeps the two equal). */
export enum AuditActionEnum {
  CREATE_USER = 'CREATE_USER',
  CREDIT_WALLET = 'CREDIT_WALLET',
  ADJUST_WALLET = 'ADJUST_WALLET',
  DISABLE_USER = 'DISABLE_USER',
  ENABLE_USER = 'ENABLE_USER',
  CREATE_API_KEY = 'CREATE_API_KEY',
  REVOKE_API_KEY = 'REVOKE_API_KEY',
  CREATE_WEBHOOK_ENDPOINT = 'CREATE_WEBHOOK_ENDPOINT',
  DELETE_WEBHOOK_ENDPOINT = 'DELETE_WEBHOOK_ENDPOINT',
  REDELIVER_WEBHOOK = 'REDELIVER_WEBHOOK',
}

registerEnumType(AuditActionEnum, {
  name: 'AuditAction',
  description: 'An audited change.',
  valuesConfig: {
    CREATE_USER: { description: 'createUser.' },
    CREDIT_WALLET: { description: 'creditWallet (a first credit of its reference).' },
    ADJUST_WALLET: { description: 'adjustWallet (a first use of its reference).' },
    DISABLE_USER: { description: 'setUserDisabled(disabled: true).' },
    ENABLE_USER: { description: 'setUserDisabled(disabled: false).' },
    CREATE_API_KEY: { description: 'createApiKey.' },
    REVOKE_API_KEY: { description: 'revokeApiKey.' },
    CREATE_WEBHOOK_ENDPOINT: { description: 'createWebhookEndpoint.' },
    DELETE_WEBHOOK_ENDPOINT: { description: 'deleteWebhookEndpoint.' },
    REDELIVER_WEBHOOK: { description: 'redeliverWebhook.' },
  },
});

@ObjectType('AuditEntry', {
  description: 'Who did what to whom, and when: written in the same transaction as the change.',
})
export class AuditEntryType {
  @Field(() => ID, { description: 'The entry id.' })
  id!: string;

  @Field(() => ID, { description: 'The acting user, or "admin" for the configured admin key.' })
  actorId!: string;

  @Field({ description: 'The acting user’s name at the time.' })
  actorName!: string;

  @Field(() => AuditActionEnum, { description: 'What was done.' })
  action!: AuditActionEnum;

  @Field({ description: 'USER, API_KEY, WEBHOOK_ENDPOINT or WEBHOOK_DELIVERY.' })
  targetType!: string;

  @Field(() => ID, { description: 'The id of what was changed.' })
  targetId!: string;

  @Field(() => MoneyType, { nullable: true, description: 'Signed amount of a money action.' })
  amount!: MoneyType | null;

  @Field(() => String, { nullable: true, description: 'The reference of a money action.' })
  reference!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'A note (adjustWallet) or a short description.',
  })
  note!: string | null;

  @Field({ description: 'ISO 8601' })
  createdAt!: string;
}

@ObjectType('AuditEntryEdge', { description: 'An audit entry with its cursor.' })
export class AuditEntryEdgeType {
  @Field({ description: 'Pass as `after` to continue after this entry.' })
  cursor!: string;

  @Field(() => AuditEntryType, { description: 'The entry.' })
  node!: AuditEntryType;
}

@ObjectType('AuditEntryConnection', { description: 'A page of the audit log, newest first.' })
export class AuditEntryConnectionType {
  @Field(() => [AuditEntryEdgeType], { description: 'The entries with their cursors.' })
  edges!: AuditEntryEdgeType[];

  @Field(() => [AuditEntryType], { description: 'The same entries as `edges`, without cursors.' })
  nodes!: AuditEntryType[];

  @Field(() => PageInfoType, { description: 'Where this page is.' })
  pageInfo!: PageInfoType;
}
