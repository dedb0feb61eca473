import { defineConfig } from 'vitest/config';

/** Every package's vitest config: resolve workspace packages to their sources, and write a
 *  JSON summary beside the console output so .ci/run can total the counts. */
export function packageVitestConfig(overrides: { testTimeout?: number; include?: string[] } = {}) {
  return defineConfig({
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: {
      include: overrides.include ?? ['src/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 20_000,
      hookTimeout: 60_000,
      reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
      pool: 'forks',
      passWithNoTests: true,
    },
  });
}
