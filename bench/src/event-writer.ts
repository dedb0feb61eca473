/**
 * The event source of the subscription benchmark, in a worker thread of its own so that its
 * writes never delay the main thread's timing of the arrivals: `rate` events a second for
 * `windowMs` onto `orderIds` (a further SMS each: CODE_RECEIVED is repeatable), through the
 * store, as the worker process would write them. Posts each event's commit time (epoch ms).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Store } from '@numbroker/store';

export interface EventWriterInput {
  databaseUrl: string;
  orderIds: string[];
  rate: number;
  windowMs: number;
}

export type EventWriterMessage =
  | { kind: 'committed'; events: Array<[eventId: string, committedAt: number]> }
  | {
      kind: 'done';
      failed: number;
      firstError: string | undefined;
      windowSeconds: number;
      writeSeconds: number;
    };

/** Wall-clock milliseconds comparable across threads (each has its own performance origin). */
export const epochNow = (): number => performance.timeOrigin + performance.now();

async function run(input: EventWriterInput): Promise<void> {
  const writer = await Store.open(input.databaseUrl, { currency: 'IRT', poolSize: 20 });
  let committed: Array<[string, number]> = [];
  const flush = () => {
    if (committed.length === 0) return;
    parentPort!.postMessage({ kind: 'committed', events: committed } satisfies EventWriterMessage);
    committed = [];
  };
  let issued = 0;
  let inFlight = 0;
  let failed = 0;
  let firstError: string | undefined;
  const started = performance.now();
  // Open loop: the events are due at a fixed rate whether or not earlier writes are done.
  while (performance.now() - started < input.windowMs) {
    const due = Math.floor(((performance.now() - started) / 1000) * input.rate);
    for (; issued < due && inFlight < 5 * input.rate; issued += 1) {
      const orderId = input.orderIds[issued % input.orderIds.length]!;
      const code = String(100000 + (issued % 900000));
      inFlight += 1;
      writer.orders
        .applyOrderCommand(
          orderId,
          { type: 'CODE_RECEIVED' },
          { sms: { code, text: `bench event ${issued}: ${code}` } },
        )
        .then(
          (result) => {
            if (result.event) committed.push([result.event.id, epochNow()]);
          },
          (error: unknown) => {
            failed += 1;
            firstError ??= (error as Error).message;
          },
        )
        .finally(() => (inFlight -= 1));
    }
    flush();
    await new Promise((r) => setTimeout(r, 5));
  }
  const windowSeconds = (performance.now() - started) / 1000;
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  flush();
  const writeSeconds = (performance.now() - started) / 1000;
  await writer.close();
  parentPort!.postMessage({
    kind: 'done',
    failed,
    firstError,
    windowSeconds,
    writeSeconds,
  } satisfies EventWriterMessage);
}

if (parentPort) {
  run(workerData as EventWriterInput).catch((error: unknown) => {
    parentPort!.postMessage({
      kind: 'done',
      failed: 1,
      firstError: (error as Error).message,
      windowSeconds: 0,
      writeSeconds: 0,
    } satisfies EventWriterMessage);
  });
}
