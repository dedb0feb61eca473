import { sql, type Database } from './database.js';

export interface ActivationOwner {
  orderId: string;
  userId: string;
}

/** Activation ids are decimal integers of at most 18 digits (a bigint column). */
const ACTIVATION_ID = /^[1-9]\d{0,17}$/;

/** The SMS-Activate endpoint's numeric activation ids: each order's own `activation_id`
 *  column, numbered by the database when the order is written. */
export class ActivationIdStore {
  constructor(private readonly db: Database) {}

  /** The activation id of an order, or null for an unknown order. */
  async ofOrder(orderId: string): Promise<string | null> {
    const { rows } = await this.db.read((m) =>
      sql(m, 'SELECT activation_id FROM orders WHERE id = ?', [orderId]),
    );
    const id = rows[0]?.activation_id;
    // A bigint column: a string on Postgres, a number on SQLite.
    return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
  }

  /** The order behind an activation id and its owner, or null when the id names none. */
  async resolve(activationId: string): Promise<ActivationOwner | null> {
    const id = activationId.trim();
    if (!ACTIVATION_ID.test(id)) return null;
    const { rows } = await this.db.read((m) =>
      sql(m, 'SELECT id, user_id FROM orders WHERE activation_id = CAST(? AS BIGINT)', [id]),
    );
    const row = rows[0];
    return row ? { orderId: String(row.id), userId: String(row.user_id) } : null;
  }
}
