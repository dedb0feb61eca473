import { createHash, timingSafeEqual } from 'node:crypto';
import { MalformedWebhook, pushedSmsParser } from '@numbroker/providers';
import express, { type Request, type Response, type Router } from 'express';
import type { AppDeps } from '../services/app-deps.js';

/** Where upstream SMS callbacks arrive: `POST <path>/<provider id>/<webhookSecret>`. */
export const UPSTREAM_WEBHOOK_PATH = '/webhooks/upstream';

const MAX_BODY = '16kb';

/**
 * Upstream SMS webhooks (push instead of poll). A provider entry with a `webhookSecret` has
 * its upstream's SMS callbacks accepted here; the code takes the same path as a polled one
 * (stored once, captured once, pushed to subscribers at once) and polling stays on as the
 * safety net. Answers: 200 `{status: "stored" | "duplicate" | "ended"}`, 202 for an activation
 * no order has (yet: polling will find it), 404 for an unknown provider or secret, 400 for a
 * malformed body, 503 when the database cannot take it (the upstream retries).
 *
 * The secret is in the path, so URLs of this route are never logged with it.
 */
export function createUpstreamWebhookRouter(deps: AppDeps): Router {
  const logger = deps.logger.child({ component: 'upstream-webhooks' });
  const secrets = new Map(
    deps.config.providers.flatMap((provider) => {
      const parse = pushedSmsParser(provider.kind);
      return provider.webhookSecret && parse
        ? [[provider.id, { digest: digestOf(provider.webhookSecret), parse }] as const]
        : [];
    }),
  );

  const router = express.Router();
  router.post(
    '/:providerId/:secret',
    express.text({ type: () => true, limit: MAX_BODY }),
    async (req: Request<{ providerId: string; secret: string }>, res: Response) => {
      const providerId = req.params.providerId;
      const known = secrets.get(providerId);
      if (!known || !timingSafeEqual(known.digest, digestOf(req.params.secret))) {
        res.status(404).json(errorBody('NOT_FOUND', 'no such webhook'));
        return;
      }
      let pushed;
      try {
        pushed = known.parse(typeof req.body === 'string' ? req.body : '');
      } catch (error) {
        if (!(error instanceof MalformedWebhook)) throw error;
        logger.warn({ providerId, reason: error.message }, 'malformed upstream SMS webhook');
        res.status(400).json(errorBody('BAD_WEBHOOK_BODY', error.message));
        return;
      }
      const { upstreamRef, message } = pushed;
      try {
        const outcome = await deps.store.recordPushedSms(providerId, upstreamRef, {
          code: message.code,
          text: message.text,
          // The protocol's receivedAt has no time zone: our clock, as for a polled SMS.
          receivedAt: deps.now(),
        });
        if (outcome === 'stored') deps.wakeOutboxTail();
        logger.info({ providerId, upstreamRef, outcome }, 'upstream SMS webhook');
        if (outcome === 'unknown') {
          res.status(202).json({ status: 'unknown_activation' });
          return;
        }
        res.status(200).json({ status: outcome });
      } catch (error) {
        logger.error({ err: error, providerId, upstreamRef }, 'upstream SMS webhook not stored');
        res.status(503).json(errorBody('UNAVAILABLE', 'not stored; send it again'));
      }
    },
  );
  // Anything else under the path (GET, a missing secret): nothing to find.
  router.use((_req, res) => {
    res.status(404).json(errorBody('NOT_FOUND', 'no such webhook'));
  });
  return router;
}

/** Fixed-length digests, so comparing secrets of any length takes the same time. */
function digestOf(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

function errorBody(code: string, message: string) {
  return { error: { code, message } };
}
