import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { createAuthenticator, type Authenticator } from '../auth/authenticate.js';
import { createRateLimiter, DEFAULT_RATE_LIMIT, type RateLimiter } from '../auth/rate-limit.js';
import { ApiError } from '../errors/api-error.js';
import type { AppDeps } from '../services/app-deps.js';
import { ActivationIds, type ActivationIdsSource } from './activation-ids.js';
import { isAction } from './action-names.js';
import { runAction } from './actions.js';
import type { EndpointContext, Params } from './endpoint-context.js';
import { answerBody, answerForError, textAnswer, type Answer } from './answers.js';
import { providerCodeTables, SmsActivateCodes, type SmsActivateCodeTables } from './code-tables.js';

export interface SmsActivateRouterOptions {
  /** The opened @numbroker/store `Store` (only `orders.eventsAfter` is read: activation ids
   *  are the orders' ORDER_CREATED outbox ids, see activation-ids.ts). */
  store: ActivationIdsSource;
  /** The server's authenticator, so both APIs accept the same keys (default: a new one
   *  over `deps.store`, same function). */
  authenticate?: Authenticator;
  /** The server's per-key limiter, so a key's GraphQL and SMS-Activate requests share one
   *  budget (default: a limiter of this router's own with the same limits). */
  rateLimit?: RateLimiter;
  /** SMS-Activate ids and codes (default: the SMS-Activate adapter's tables). */
  codes?: SmsActivateCodeTables;
}

/**
 * SMS-Activate's `handler_api.php`, served over numbroker's users, wallets and orders, so a
 * bot written for SMS-Activate switches by changing its base URL. GET or POST (query or
 * urlencoded form), `api_key` = the user's numbroker API key; protocol answers are text (or
 * JSON for the JSON actions) with HTTP 200, as SMS-Activate hosts answer.
 *
 * Mount: `app.use('/stubs/handler_api.php', createSmsActivateRouter(deps, { store, ... }))`.
 */
export function createSmsActivateRouter(deps: AppDeps, options: SmsActivateRouterOptions): Router {
  const tables = options.codes ?? providerCodeTables();
  const context: EndpointContext = {
    deps,
    codes: new SmsActivateCodes(tables),
    activationIds: new ActivationIds(options.store),
  };
  const authenticate =
    options.authenticate ??
    createAuthenticator({
      adminApiKey: deps.config.adminApiKey,
      findUserByApiKey: (apiKey) => deps.store.findUserByApiKey(apiKey),
    });
  const rateLimit = options.rateLimit ?? createRateLimiter(DEFAULT_RATE_LIMIT);
  const logger = deps.logger.child({ component: 'sms-activate-endpoint' });

  const answer = async (params: Params): Promise<Answer> => {
    const apiKey = params.get('api_key') ?? '';
    let userId: string;
    try {
      if (apiKey === '') return textAnswer('BAD_KEY');
      // The same function as GraphQL's Authorization header, fed the same key.
      const viewer = await authenticate(`Bearer ${apiKey}`);
      // The admin key has no wallet and no orders of its own.
      if (viewer.kind !== 'user') return textAnswer('BAD_KEY');
      userId = viewer.id;
      await rateLimit(viewer.rateLimitKey);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
        return textAnswer('BAD_KEY');
      }
      return answerForError(error, logger);
    }
    const action = params.get('action');
    if (!isAction(action)) return textAnswer('BAD_ACTION');
    try {
      return await runAction(context, userId, action, params);
    } catch (error) {
      return answerForError(error, logger);
    }
  };

  const handle = async (req: Request, res: Response) => {
    const params = readParams(req);
    const result = await answer(params);
    logger.debug(
      {
        action: params.get('action'),
        answer: result.kind === 'text' ? result.text.split(':', 1)[0] : 'json',
      },
      'SMS-Activate request',
    );
    send(res, result);
  };

  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb' }));
  router.route('/').get(handle).post(handle);
  // An unreadable body (bad encoding, too large): the protocol's "bad request data".
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).type('text/plain').send('BAD_DATA');
      return;
    }
    logger.error({ err: error }, 'unexpected error in the SMS-Activate endpoint');
    res.status(500).type('text/plain').send('ERROR_SQL');
  });
  return router;
}

/** Query and form fields by name; the form wins, and a repeated field counts once (first). */
function readParams(req: Request): Params {
  const params = new Map<string, string>();
  for (const source of [req.query, req.body as unknown]) {
    if (typeof source !== 'object' || source === null) continue;
    for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
      const first: unknown = Array.isArray(value) ? value[0] : value;
      if (typeof first === 'string') params.set(name, first);
    }
  }
  return params;
}

function send(res: Response, answer: Answer): void {
  res.set('Cache-Control', 'no-store');
  if (answer.kind === 'json') {
    res.status(200).type('application/json').send(answerBody(answer));
    return;
  }
  if (answer.retryAfterSeconds !== undefined) {
    res.set('Retry-After', String(answer.retryAfterSeconds));
  }
  res
    .status(answer.httpStatus ?? 200)
    .type('text/plain')
    .send(answerBody(answer));
}
