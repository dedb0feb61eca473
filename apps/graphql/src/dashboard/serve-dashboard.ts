import type { RequestHandler, Router } from 'express';
import { builtPageRouter, findBuiltDist } from '../static-pages/built-page.js';

const PACKAGE = '@numbroker/dashboard';

/** Where `@numbroker/dashboard` put its Vite build, or undefined when it was not built. */
export function findDashboardDist(): string | undefined {
  return findBuiltDist(PACKAGE);
}

/** The operator's dashboard: its page at GET /admin (any sub-path; it routes by #hash) and its
 *  assets under /admin/assets/. The page itself is public; every call it makes needs the
 *  admin key. */
export function dashboardRouter(distDir: string | undefined): {
  page: RequestHandler;
  assets: Router;
} {
  return builtPageRouter(distDir, PACKAGE);
}
