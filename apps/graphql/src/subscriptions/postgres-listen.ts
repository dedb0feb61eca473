import { ORDER_EVENTS_CHANNEL } from '@numbroker/store';
import type { DataSource } from 'typeorm';

interface PgNotificationClient {
  query(sql: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string }) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  removeListener(event: string, listener: (...args: never[]) => void): void;
}

interface PostgresDriverLike {
  obtainMasterConnection(): Promise<[PgNotificationClient, (error?: unknown) => void]>;
}

/** LISTENs on the channel the store NOTIFYs at each commit that wrote order events, on a pool
 *  connection kept for it; `wake` runs on every notification. Resolves to an unlisten. */
export async function listenForOrderEvents(
  dataSource: DataSource,
  wake: () => void,
): Promise<() => Promise<void>> {
  const driver = dataSource.driver as unknown as PostgresDriverLike;
  const [client, release] = await driver.obtainMasterConnection();
  const onNotification = (message: { channel: string }) => {
    if (message.channel === ORDER_EVENTS_CHANNEL) wake();
  };
  // A broken connection must not crash the process: the tail's polling still delivers.
  const onError = () => undefined;
  client.on('notification', onNotification);
  client.on('error', onError);
  await client.query(`LISTEN ${ORDER_EVENTS_CHANNEL}`);
  return async () => {
    client.removeListener('notification', onNotification);
    try {
      await client.query(`UNLISTEN ${ORDER_EVENTS_CHANNEL}`);
      release();
    } catch (error) {
      release(error);
    } finally {
      client.removeListener('error', onError);
    }
  };
}
