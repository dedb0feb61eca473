import { defineConfig } from 'vite';

// The page is served by @numbroker/graphql: index.html at GET /admin (and its sub-paths),
// assets under /admin/assets/.
export default defineConfig({
  base: '/admin/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 3000,
    sourcemap: false,
    rollupOptions: {
      // React libraries mark files "use client"; meaningless in a plain SPA bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
