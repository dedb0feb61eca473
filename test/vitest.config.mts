import { mergeConfig } from 'vitest/config';
import { packageVitestConfig } from '../vitest.shared.mts';

// Every file starts real server and worker processes: one file at a time on 2 cores.
export default mergeConfig(packageVitestConfig({ testTimeout: 90_000 }), {
  // maxConcurrency: upstream-faults runs its eight tests (one per adapter, the breaker) side by
  // side; they wait on reconcile and breaker delays, not on the CPU.
  test: { fileParallelism: false, hookTimeout: 90_000, maxConcurrency: 8 },
});
