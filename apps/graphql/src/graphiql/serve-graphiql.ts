import type { Request, RequestHandler, Router } from 'express';
import { builtPageRouter, findBuiltDist } from '../static-pages/built-page.js';

const PACKAGE = '@numbroker/graphiql';

/** Where `@numbroker/graphiql` put its Vite build, or undefined when it was not built. */
export function findGraphiqlDist(): string | undefined {
  return findBuiltDist(PACKAGE);
}

/** A browser navigating to /graphql asks for HTML; API clients ask for JSON (or nothing). */
export function wantsHtml(req: Request): boolean {
  if (req.method !== 'GET') return false;
  const accept = req.headers.accept ?? '';
  // GraphiQL's own URL may carry ?query=…: a browser navigation is told apart by Accept alone.
  return accept.includes('text/html');
}

/** Serves the GraphiQL page at GET /graphql (browsers only) and its assets under /graphiql/. */
export function graphiqlRouter(distDir: string | undefined): {
  page: RequestHandler;
  assets: Router;
} {
  return builtPageRouter(distDir, PACKAGE);
}
