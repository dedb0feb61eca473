import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

/** What the store announces after a wallet change commits (see @numbroker/store
 *  MoneyMovements), as far as logs and metrics need it. */
export interface MoneyMovementRecord {
  kind: string;
  /** Decimal in `currency`. */
  amount: string;
  currency: string;
  userId: string;
  orderId?: string;
  providerId?: string | null;
  reference?: string;
}

const MOVEMENT_LABEL: Readonly<Record<string, string>> = {
  HOLD: 'held',
  CAPTURE: 'captured',
  RELEASE: 'released',
  REFUND: 'refunded',
  CREDIT: 'credited',
};

/** `numbroker_money_moved_total{movement, currency}`: money held, captured, released,
 *  refunded and credited by this process, in major units of the currency. Each movement
 *  happens in exactly one process, so summing over the server and worker jobs is right. */
export function createMoneyCounter(registry: Registry): Counter<'movement' | 'currency'> {
  return new Counter({
    name: 'numbroker_money_moved_total',
    help: 'Money moved in wallets by this process, by movement (held, captured, released, refunded, credited), in major units',
    labelNames: ['movement', 'currency'],
    registers: [registry],
  });
}

/** One log line and one count per committed money movement. */
export function recordMoneyMovement(
  logger: Logger,
  counter: Counter<'movement' | 'currency'>,
  movement: MoneyMovementRecord,
): void {
  const label = MOVEMENT_LABEL[movement.kind] ?? movement.kind.toLowerCase();
  counter.inc({ movement: label, currency: movement.currency }, Number(movement.amount));
  logger.info(
    {
      money: {
        movement: label,
        amount: movement.amount,
        currency: movement.currency,
        userId: movement.userId,
        ...(movement.orderId ? { orderId: movement.orderId } : {}),
        ...(movement.providerId ? { provider: movement.providerId } : {}),
        ...(movement.reference ? { reference: movement.reference } : {}),
      },
    },
    `money ${label}: ${movement.amount} ${movement.currency}`,
  );
}
