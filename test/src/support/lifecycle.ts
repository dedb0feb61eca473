import { afterAll, afterEach, beforeAll } from 'vitest';
import { Stack, type StackOptions } from './stack.js';

/**
 * One stack for a describe block: started in beforeAll, stopped in afterAll whatever happened
 * (with `cleanup` after it, for what the test made around the stack), and the processes' last
 * log lines printed under a failed test.
 */
export function useStack(
  options: StackOptions | (() => Promise<StackOptions>),
  cleanup?: () => Promise<void>,
): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await Stack.start(typeof options === 'function' ? await options() : options);
  });
  afterEach((context) => {
    if (context.task.result?.state !== 'fail' || !stack) return;
    const logs = stack.processLogs();
    if (logs) console.error(`--- numbroker process output (${context.task.name}) ---\n${logs}`);
  });
  afterAll(async () => {
    try {
      await stack?.stop();
    } finally {
      stack = undefined;
      await cleanup?.();
    }
  });
  return () => {
    if (!stack) throw new Error('the stack is not running (its start failed)');
    return stack;
  };
}
