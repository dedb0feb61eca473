import type { ProviderKind } from './adapter.js';
import { parseSmsActivateWebhook, type PushedSms } from './smsactivate/webhook.js';

export { MalformedWebhook, type PushedSms } from './smsactivate/webhook.js';

/** The protocols whose upstreams push SMS to a webhook, with the parser of their callback
 *  body (which throws MalformedWebhook). */
const PARSERS: Partial<Record<ProviderKind, (body: string) => PushedSms>> = {
  smsactivate: parseSmsActivateWebhook,
};

export function pushedSmsParser(kind: ProviderKind): ((body: string) => PushedSms) | undefined {
  return PARSERS[kind];
}
