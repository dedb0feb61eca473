/**
 * What makes two readings one SMS of an order, across protocols and endpoints: the code when
 * there is one (a host's single-status call may give only the code, its batch listing code and
 * text, a webhook both), else the text with its spacing normalised. The store's dedupe key is
 * built from it; the worker's cache of SMS already stored uses the same rule, so the two never
 * disagree about what is new.
 */
export function smsIdentity(message: { code: string | null; text: string | null }): string {
  const code = message.code?.trim();
  if (code) return `c:${code}`;
  return `t:${(message.text ?? '').replace(/\s+/g, ' ').trim()}`;
}
