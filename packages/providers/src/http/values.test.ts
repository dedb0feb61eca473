import { describe, expect, it } from 'vitest';
import { decimalText, parseJsonLossless } from './lossless-json.js';
import { excerpt, redact } from './redact.js';
import { upstreamMoney } from './upstream-money.js';

describe('redact', () => {
  it('removes plain, URL-encoded, form-encoded and JSON-escaped secrets', () => {
    const secret = 'a b/c+d"e';
    const text = [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ k: secret }).toString(),
      JSON.stringify(secret),
    ].join(' | ');
    const clean = redact(text, [secret]);
    expect(clean).not.toContain('c+d');
    expect(clean).not.toContain('b%2Fc');
    expect(clean).not.toContain('a+b');
    expect(clean.match(/\[REDACTED\]/g)?.length).toBe(4);
  });

  it('ignores empty secrets and redacts before truncating', () => {
    expect(redact('abc', [''])).toBe('abc');
    const secret = 'x'.repeat(30);
    expect(excerpt(`${'y'.repeat(100)}${secret}`, [secret], 110)).not.toContain('xxxxx');
  });
});

describe('parseJsonLossless', () => {
  it('keeps every number as its source text, strings untouched', () => {
    expect(
      parseJsonLossless(
        '{"0":{"tg":{"cost":12.50,"count":100}},"s":"1.5 \\"2\\"","n":[-0.1,1e-7,123456789012345678901]}',
      ),
    ).toEqual({
      '0': { tg: { cost: '12.50', count: '100' } },
      s: '1.5 "2"',
      n: ['-0.1', '1e-7', '123456789012345678901'],
    });
  });

  it('still refuses malformed JSON', () => {
    expect(() => parseJsonLossless('{"a":1')).toThrow(SyntaxError);
  });
});

describe('decimalText and upstreamMoney', () => {
  it('reads numbers and strings exactly', () => {
    expect(decimalText(12.5)).toBe('12.5');
    expect(decimalText('12.50')).toBe('12.50');
    expect(decimalText('1.5e-3')).toBe('0.0015');
    expect(decimalText(1e21)).toBe('1000000000000000000000');
    expect(decimalText('abc')).toBeNull();
    expect(decimalText(null)).toBeNull();
  });

  it('rounds extra decimals up to the minor unit and refuses negatives', () => {
    expect(upstreamMoney('12.5', 'RUB')?.minor).toBe(1250n);
    expect(upstreamMoney('0.123', 'RUB')?.minor).toBe(13n);
    expect(upstreamMoney('64400', 'IRT')?.format()).toBe('64400');
    expect(upstreamMoney('-1', 'RUB')).toBeNull();
    expect(upstreamMoney('free', 'RUB')).toBeNull();
  });
});
