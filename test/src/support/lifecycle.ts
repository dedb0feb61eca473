import { afterAll, afterEach, beforeAll } from 'vitest';
import { Stack, type StackOptions } from './stack.js';

/**
 * One stack for a describe block: started in beforeAll (a failed start fails every test of the
 * block with its error, never a skip), stopped in afterAll whatever happened
 * (with `cleanup` after it, for what the test made around the stack), and the processes' last
 * log lines printed under a failed test.
 */
export function useStack(
  options: StackOptions | (() => Promise<StackOptions>),
  cleanup?: () => Promise<void>,
): () => Stack {
  let stack: Stack | undefined;
  let startError: Error | undefined;
  beforeAll(async () => {
    try {
      stack = await Stack.start(typeof options === 'function' ? await options() : options);
    } catch (error) {
      // Kept for every test to fail with: a failed beforeAll would only mark them skipped.
      startError = error instanceof Error ? error : new Error(String(error));
    }
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
    if (startError) throw startError;
    if (!stack) throw new Error('the stack is not running');
    return stack;
  };
}
