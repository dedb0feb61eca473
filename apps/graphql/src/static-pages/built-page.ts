import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';

/** Where a workspace package (`@numbroker/graphiql`, `@numbroker/dashboard`) put its Vite
 *  build, or undefined when it was not built. */
export function findBuiltDist(packageName: string): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const dist = path.join(path.dirname(require.resolve(`${packageName}/package.json`)), 'dist');
    return existsSync(path.join(dist, 'index.html')) ? dist : undefined;
  } catch {
    return undefined;
  }
}

// The page only talks to this origin (HTTP and WebSocket); say so to the browser too.
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; worker-src 'self' blob:";

/** A single-page app from its own build: `page` answers its index.html, `assets` its files.
 *  Everything comes from the build: no CDN, nothing leaves the machine. */
export function builtPageRouter(
  distDir: string | undefined,
  packageName: string,
): { page: RequestHandler; assets: Router } {
  const assets = express.Router();
  if (!distDir) {
    const page: RequestHandler = (_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send(`${packageName} is not built: run \`pnpm --filter ${packageName} build\``);
    };
    return { page, assets };
  }
  const indexHtml = readFileSync(path.join(distDir, 'index.html'), 'utf8');
  assets.use(express.static(distDir, { index: false, immutable: true, maxAge: '1d' }));
  const page: RequestHandler = (_req, res) => {
    res
      .status(200)
      .set('Cache-Control', 'no-store')
      .set('Content-Security-Policy', CONTENT_SECURITY_POLICY)
      .type('text/html')
      .send(indexHtml);
  };
  return { page, assets };
}
