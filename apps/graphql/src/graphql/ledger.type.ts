import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { MoneyType } from './money.type.js';
import { PageInfoType } from './order.type.js';

/** Mirrors core's LEDGER_ENTRY_KINDS (a test keeps the two equal). */
export enum LedgerEntryKindEnum {
  CREDIT = 'CREDIT',
  HOLD = 'HOLD',
  CAPTURE = 'CAPTURE',
  RELEASE = 'RELEASE',
  REFUND = 'REFUND',
  ADJUST_IN = 'ADJUST_IN',
  ADJUST_OUT = 'ADJUST_OUT',
}

registerEnumType(LedgerEntryKindEnum, {
  name: 'LedgerEntryKind',
  description: 'What moved the money. The sum of the entries is the balance.',
  valuesConfig: {
    CREDIT: { description: 'Paid in by an admin (creditWallet): available +amount.' },
    HOLD: { description: 'An order price reserved at buyNumber: available −amount, held +amount.' },
    CAPTURE: { description: 'The hold charged at the first code: held −amount.' },
    RELEASE: {
      description:
        'The hold given back (cancel, expiry, failure): held −amount, available +amount.',
    },
    REFUND: {
      description: 'A charged price given back (an upstream-refunded report): available +amount.',
    },
    ADJUST_IN: {
      description: 'An admin correction in the user’s favour (adjustWallet): available +amount.',
    },
    ADJUST_OUT: {
      description: 'An admin correction against the user (adjustWallet): available −amount.',
    },
  },
});

@ObjectType('LedgerEntry', { description: 'One movement of a wallet.' })
export class LedgerEntryType {
  @Field(() => ID, { description: 'The entry id.' })
  id!: string;

  @Field(() => LedgerEntryKindEnum, { description: 'What moved the money; it gives the sign.' })
  kind!: LedgerEntryKindEnum;

  @Field(() => MoneyType, { description: 'Always positive; `kind` says in which direction.' })
  amount!: MoneyType;

  @Field(() => ID, {
    nullable: true,
    description: 'The order of a HOLD, CAPTURE, RELEASE or REFUND.',
  })
  orderId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The payment or adjustment reference; `order:<id>` for order entries.',
  })
  reference!: string | null;

  @Field({ description: 'ISO 8601' })
  createdAt!: string;
}

@ObjectType('LedgerEntryEdge', { description: 'A ledger entry with its cursor.' })
export class LedgerEntryEdgeType {
  @Field({ description: 'Pass as `after` to continue after this entry.' })
  cursor!: string;

  @Field(() => LedgerEntryType, { description: 'The entry.' })
  node!: LedgerEntryType;
}

@ObjectType('LedgerEntryConnection', { description: 'A page of a wallet statement, newest first.' })
export class LedgerEntryConnectionType {
  @Field(() => [LedgerEntryEdgeType], { description: 'The entries with their cursors.' })
  edges!: LedgerEntryEdgeType[];

  @Field(() => [LedgerEntryType], { description: 'The same entries as `edges`, without cursors.' })
  nodes!: LedgerEntryType[];

  @Field(() => PageInfoType, { description: 'Where this page is.' })
  pageInfo!: PageInfoType;
}
