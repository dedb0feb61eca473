/**
 * JSON with every number kept as its exact source text.
 *
 * Why: upstream prices arrive as JSON numbers (`"cost": 12.5`) and activation ids can exceed
 * 2^53. `JSON.parse` turns both into doubles (Node 20 has no reviver access to the source text),
 * so "0.1" style prices and long ids could silently change. This scanner rewrites every number
 * token outside strings into a JSON string holding the same characters, then lets `JSON.parse`
 * do the rest: the result is what `JSON.parse` would give, except numbers are decimal strings.
 * Mappers read money and ids with `Money.parse` / `String(...)` and never see a float.
 */
export function parseJsonLossless(text: string): unknown {
  return JSON.parse(quoteNumbers(text)) as unknown;
}

const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function quoteNumbers(text: string): string {
  let out = '';
  let copiedUpTo = 0;
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === '"') {
      // Skip the string, honouring escapes.
      index += 1;
      while (index < text.length && text[index] !== '"') {
        index += text[index] === '\\' ? 2 : 1;
      }
      index += 1;
      continue;
    }
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) {
      NUMBER_TOKEN.lastIndex = index;
      const match = NUMBER_TOKEN.exec(text);
      if (match) {
        out += `${text.slice(copiedUpTo, index)}"${match[0]}"`;
        index += match[0].length;
        copiedUpTo = index;
        continue;
      }
    }
    index += 1;
  }
  return out + text.slice(copiedUpTo);
}

/** The exact decimal text of an upstream amount given as a JSON number or a string. Numbers that
 *  only exist as doubles (a plain `JSON.parse`) are accepted when their shortest text is exact. */
export function decimalText(value: unknown): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return /^-?\d+(?:\.\d+)?$/.test(trimmed) ? trimmed : expandExponent(trimmed);
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    const text = String(value);
    return /e/i.test(text) ? expandExponent(text) : text;
  }
  if (typeof value === 'bigint') return value.toString();
  return null;
}

/** "1.5e-3" → "0.0015", exactly (string arithmetic, no floats). */
function expandExponent(text: string): string | null {
  const match = /^(-?)(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/.exec(text);
  if (!match) return null;
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 100) return null;
  const digits = whole + fraction;
  const pointAt = whole.length + exponent;
  let result: string;
  if (pointAt <= 0) result = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) result = digits + '0'.repeat(pointAt - digits.length);
  else result = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  result = result.replace(/^0+(?=\d)/, '');
  if (result.includes('.')) result = result.replace(/\.?0+$/, '');
  return sign + result;
}
