import type { SmsMessage } from '../adapter.js';
import { decimalText, parseJsonLossless } from '../http/lossless-json.js';
import { extractCode } from '../simulator/extract-code.js';

/**
 * The SMS callback SMS-Activate (and HeroSMS) hosts POST to the webhook URL an account sets:
 * `{"activationId": 2000000001, "service": "tg", "text": "…", "code": "12345", "country": 0,
 *  "receivedAt": "2026-01-31 12:34:56"}`. Read losslessly (ids may pass 2^53); `code` may be a
 * number or absent (then read from `text`). `receivedAt` has no zone in the protocol, so the
 * caller uses its own clock instead.
 */
export interface PushedSms {
  /** The activation the SMS is for (our order's upstream ref). */
  upstreamRef: string;
  message: SmsMessage;
}

/** Why a callback body was refused (answered 400). */
export class MalformedWebhook extends Error {
  override readonly name = 'MalformedWebhook';
}

const MAX_TEXT = 4096;

export function parseSmsActivateWebhook(body: string): PushedSms {
  let parsed: unknown;
  try {
    parsed = parseJsonLossless(body);
  } catch {
    throw new MalformedWebhook('the body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MalformedWebhook('the body is not a JSON object');
  }
  const fields = parsed as Record<string, unknown>;
  const id = decimalText(fields.activationId);
  if (id === null || !/^\d{1,20}$/.test(id)) {
    throw new MalformedWebhook('activationId must be a whole number');
  }
  const text = optionalText(fields.text, 'text');
  const code = optionalText(fields.code, 'code');
  if (text === null && code === null) throw new MalformedWebhook('neither text nor code is set');
  return {
    upstreamRef: id,
    message: { code: code ?? (text === null ? null : extractCode(text)), text },
  };
}

/** A string, or a number's decimal text (lossless parsing makes numbers strings); "" is null. */
function optionalText(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new MalformedWebhook(`${name} must be a string`);
  if (value.length > MAX_TEXT) throw new MalformedWebhook(`${name} is too long`);
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}
