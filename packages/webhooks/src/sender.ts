import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import { checkLiteralHost, guardedLookup, parseWebhookUrl } from './url-guard.js';

export interface SendInput {
  url: string;
  /** The webhook-id: the same on every attempt of one delivery. */
  messageId: string;
  body: string;
  /** "whsec_…" */
  secret: string;
  timeoutMs: number;
  allowPrivate: boolean;
  now?: Date;
}

export interface SendResult {
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
}

/** At most this much of an answer is read (and thrown away): an endpoint cannot make us buffer
 *  an endless body. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** The Standard Webhooks headers for one attempt (timestamp = now, so each attempt is signed
 *  afresh; the id stays). */
export function signedHeaders(input: {
  messageId: string;
  body: string;
  secret: string;
  now: Date;
}): Record<string, string> {
  const signature = new Webhook(input.secret).sign(input.messageId, input.now, input.body);
  return {
    'webhook-id': input.messageId,
    'webhook-timestamp': String(Math.floor(input.now.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

/**
 * One attempt: POST the body, signed, and wait at most `timeoutMs` for the whole answer. A 2xx
 * is delivered; a redirect is not followed (it would leave the checked address) and counts as a
 * failure, as does every other status, a timeout or a refused address.
 */
export function sendWebhook(input: SendInput): Promise<SendResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let url: URL;
    try {
      url = parseWebhookUrl(input.url);
      checkLiteralHost(url, input.allowPrivate);
    } catch (error) {
      resolve({ delivered: false, statusCode: null, error: (error as Error).message });
      return;
    }
    const headers = {
      ...signedHeaders({
        messageId: input.messageId,
        body: input.body,
        secret: input.secret,
        now: input.now ?? new Date(),
      }),
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(input.body)),
      'user-agent': 'numbroker-webhooks/1',
    };
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers,
      lookup: guardedLookup(input.allowPrivate),
      agent: false,
    });
    const timer = setTimeout(() => {
      request.destroy();
      finish({
        delivered: false,
        statusCode: null,
        error: `no answer within ${input.timeoutMs} ms`,
      });
    }, input.timeoutMs);
    request.on('response', (response) => {
      const statusCode = response.statusCode ?? 0;
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_RESPONSE_BYTES) response.destroy();
      });
      const done = () =>
        finish({
          delivered: statusCode >= 200 && statusCode < 300,
          statusCode,
          error: statusCode >= 200 && statusCode < 300 ? null : `HTTP ${statusCode}`,
        });
      response.on('end', done);
      response.on('close', done);
      response.on('error', done);
    });
    request.on('error', (error: Error) => {
      finish({ delivered: false, statusCode: null, error: error.message.slice(0, 300) });
    });
    request.end(input.body);
  });
}
