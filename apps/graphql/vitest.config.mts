import { createRequire } from 'node:module';
import { mergeConfig } from 'vitest/config';
import { packageVitestConfig } from '../../vitest.shared.mts';

const require = createRequire(import.meta.url);

// graphql 16 ships index.js (CJS) and index.mjs with no "exports" map: Node hands the libraries
// (Apollo, type-graphql, graphql-ws) index.js, while Vite would give our sources index.mjs, and
// two copies of graphql refuse each other's schema. Point our imports at the one Node uses.
export default mergeConfig(packageVitestConfig({ testTimeout: 30_000 }), {
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
});
