import pg from 'pg';
import { parseDatabaseUrl } from './database.js';
import { ORDER_EVENTS_CHANNEL } from './orders/outbox.js';

export interface OrderEventListener {
  close(): Promise<void>;
}

/**
 * Postgres only: calls `onWake(lastEventId)` soon after transactions that wrote order events
 * commit (LISTEN on ORDER_EVENTS_CHANNEL over a dedicated connection), so an outbox tail can
 * read at once instead of polling. The notification is only a wake-up: the tail still reads
 * `eventsAfter(last)`, so a notification lost while reconnecting loses nothing. `onError` gets
 * connection errors (the caller reconnects or falls back to polling).
 */
export async function listenForOrderEvents(
  databaseUrl: string,
  onWake: (lastEventId: number) => void,
  onError: (error: Error) => void = () => undefined,
): Promise<OrderEventListener> {
  if (parseDatabaseUrl(databaseUrl).kind !== 'postgres') {
    throw new Error('listenForOrderEvents needs Postgres; poll eventsAfter on SQLite');
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', onError);
  client.on('notification', (message) => {
    if (message.channel === ORDER_EVENTS_CHANNEL) onWake(Number(message.payload ?? 0));
  });
  await client.connect();
  await client.query(`LISTEN ${ORDER_EVENTS_CHANNEL}`);
  return {
    close: async () => {
      client.removeAllListeners('notification');
      await client.end();
    },
  };
}
