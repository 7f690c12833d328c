import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
const backend = process.env.BACKEND_URL ?? 'http://127.0.0.1:8000';

// Two pages: the console SPA (index.html) and the GraphiQL explorer (graphiql.html).
// The backend serves dist/index.html for console routes and dist/graphiql.html for GET /graphql.
export default defineConfig({
  base: '/',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // Monaco (inside GraphiQL) is large; it only loads on the explorer page.
    chunkSizeWarningLimit: 6000,
    rollupOptions: {
      input: {
        index: resolve(root, 'index.html'),
        graphiql: resolve(root, 'graphiql.html'),
      },
      onwarn(warning, warn) {
        // React libraries inside GraphiQL carry "use client" directives, meaningless in a client bundle.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  worker: { format: 'es' },
  optimizeDeps: {
    // GraphiQL's Monaco worker set-up imports `…?worker` modules, which only Vite's own transform (not the
    // dependency pre-bundler) understands: serve it as is in `npm run dev`.
    exclude: ['graphiql/setup-workers/vite', '@graphiql/react/setup-workers/vite'],
  },
  server: {
    // `npm run dev` against the backend (`make run`, :8000 unless BACKEND_URL says otherwise).
    proxy: {
      '/auth': backend,
      '/graphql': {
        target: backend,
        // A browser opening /graphql gets the explorer, as from the backend.
        bypass: (req) => (req.method === 'GET' && req.headers.accept?.includes('text/html') ? '/graphiql.html' : undefined),
      },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
