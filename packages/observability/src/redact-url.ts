/** Query parameters that carry a key: SMS-Activate's `api_key`, GraphiQL's `?key=`, tokens. */
const SECRET_PARAMS = new Set(['api_key', 'apikey', 'key', 'token', 'access_token', 'secret']);

/** A request path with the values of secret query parameters (and a webhook path's secret)
 *  censored, for access logs:
 *  `/stubs/handler_api.php?api_key=abc&action=getBalance` →
 *  `/stubs/handler_api.php?api_key=[redacted]&action=getBalance`. */
export function redactUrl(url: string): string {
  // Upstream SMS webhooks carry their secret as the last path segment.
  const path = url.replace(/^(\/webhooks\/upstream\/[^/?]+\/)[^/?]+/, '$1[redacted]');
  if (path !== url) return redactUrl(path);
  const question = url.indexOf('?');
  if (question < 0) return url;
  const query = url.slice(question + 1);
  const parts = query.split('&').map((part) => {
    const equals = part.indexOf('=');
    const name = equals < 0 ? part : part.slice(0, equals);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // A malformed escape is kept as written; its name cannot be a known one anyway.
    }
    return SECRET_PARAMS.has(decoded.toLowerCase()) && equals >= 0 ? `${name}=[redacted]` : part;
  });
  return `${url.slice(0, question)}?${parts.join('&')}`;
}
