import { Money } from '@numbroker/core';
import { openStore } from '@numbroker/store';
import { UsageError } from '../cli-error.js';
import { COMMON_HELP, configOf, required, type Command } from '../command.js';

export const userCreditCommand: Command = {
  words: ['user', 'credit'],
  summary: "pay an amount into a user's wallet, once per reference",
  help: `usage: numbroker user credit --user ID --amount AMOUNT --reference REF [--config PATH]

Pays AMOUNT (a decimal in the platform currency, e.g. 500000 or 12.50) into the user's
wallet with a ledger entry. Idempotent by reference: the same reference again changes nothing
and says so; the same reference with another amount is refused.

  --user ID           the user id (from user create)
  --amount AMOUNT     a positive decimal amount
  --reference REF     your reference for this payment (1 to 200 characters), e.g. an invoice id
${COMMON_HELP}`,
  options: {
    user: { type: 'string' },
    amount: { type: 'string' },
    reference: { type: 'string' },
  },
  async run(values, io) {
    const userId = required(values, 'user').trim();
    const amountText = required(values, 'amount').trim();
    const reference = required(values, 'reference');
    const config = configOf(values, io);
    let amount: Money;
    try {
      amount = Money.parse(amountText, config.currency);
    } catch (error) {
      throw new UsageError(`--amount: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (amount.minor <= 0n) throw new UsageError(`--amount must be positive; got ${amountText}`);
    const store = await openStore(config);
    try {
      const { wallet, credited } = await store.users.creditWallet({
        userId,
        amountMinor: amount.minor,
        reference,
      });
      const balance = Money.ofMinor(wallet.availableMinor, config.currency).toString();
      io.out(
        credited
          ? `credited ${amount.toString()} to ${userId} (reference ${reference.trim()}); available ${balance}`
          : `reference ${reference.trim()} was already credited to ${userId}; nothing changed; available ${balance}`,
      );
    } finally {
      await store.close();
    }
  },
};
