export const REDACTED = '[REDACTED]';

/** Every spelling a secret can take on its way into a URL, a form body or a log line. */
function spellingsOf(secret: string): string[] {
  const spellings = new Set<string>([secret]);
  spellings.add(encodeURIComponent(secret));
  // URLSearchParams writes spaces as "+" and escapes a few characters encodeURIComponent keeps.
  spellings.add(new URLSearchParams({ s: secret }).toString().slice(2));
  spellings.add(JSON.stringify(secret).slice(1, -1));
  return [...spellings].filter((spelling) => spelling.length > 0);
}

/** Replaces every occurrence of every secret (plain, URL-encoded, form-encoded, JSON-escaped)
 *  with a marker. Longest spellings first, so a secret that contains another is removed whole. */
export function redact(text: string, secrets: readonly string[]): string {
  const spellings = secrets
    .filter((secret) => secret.length > 0)
    .flatMap(spellingsOf)
    .sort((a, b) => b.length - a.length);
  let result = text;
  for (const spelling of spellings) {
    result = result.split(spelling).join(REDACTED);
  }
  return result;
}

/** A short, single-line, secret-free excerpt of an upstream body for messages and logs. */
export function excerpt(text: string, secrets: readonly string[], maxLength = 120): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const clean = redact(oneLine, secrets);
  return clean.length > maxLength ? `${clean.slice(0, maxLength)}…` : clean;
}
