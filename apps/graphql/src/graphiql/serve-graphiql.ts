import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Request, type RequestHandler, type Router } from 'express';

/** Where `@numbroker/graphiql` put its Vite build, or undefined when it was not built. */
export function findGraphiqlDist(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const dist = path.join(
      path.dirname(require.resolve('@numbroker/graphiql/package.json')),
      'dist',
    );
    return existsSync(path.join(dist, 'index.html')) ? dist : undefined;
  } catch {
    return undefined;
  }
}

/** A browser navigating to /graphql asks for HTML; API clients ask for JSON (or nothing). */
export function wantsHtml(req: Request): boolean {
  if (req.method !== 'GET') return false;
  const accept = req.headers.accept ?? '';
  // GraphiQL's own URL may carry ?query=…: a browser navigation is told apart by Accept alone.
  return accept.includes('text/html');
}

/** Serves the GraphiQL page at GET /graphql (browsers only) and its assets under /graphiql/.
 *  Everything comes from the package's own build: no CDN, nothing leaves the machine. */
export function graphiqlRouter(distDir: string | undefined): {
  page: RequestHandler;
  assets: Router;
} {
  const assets = express.Router();
  if (!distDir) {
    const page: RequestHandler = (_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send('GraphiQL is not built: run `pnpm --filter @numbroker/graphiql build`');
    };
    return { page, assets };
  }
  const indexHtml = readFileSync(path.join(distDir, 'index.html'), 'utf8');
  assets.use(express.static(distDir, { index: false, immutable: true, maxAge: '1d' }));
  const page: RequestHandler = (_req, res) => {
    res
      .status(200)
      .set('Cache-Control', 'no-store')
      // The page only talks to this origin (HTTP and WebSocket); say so to the browser too.
      .set(
        'Content-Security-Policy',
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; worker-src 'self' blob:",
      )
      .type('text/html')
      .send(indexHtml);
  };
  return { page, assets };
}
