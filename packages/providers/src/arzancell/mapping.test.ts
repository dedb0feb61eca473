import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { arzanCellError, normalizeToken, outcomeOfToken } from './errors.js';
import {
  decodeOfferRef,
  encodeOfferRef,
  mapBalance,
  mapCheckRows,
  mapNumber,
  mapStockRow,
  offerOf,
  readAnswer,
  serviceSlugOf,
  toE164,
} from './mapping.js';
import { ARZANCELL_ERRORS } from './wire.js';

interface DocExample {
  name: string;
  operation: string;
  request: { method: string; url: string; params: Record<string, string> };
  response: { type: 'json' | 'text'; body: unknown };
  expected: Record<string, unknown>;
}
interface DocError {
  token: string;
  en: string;
  operation: string;
  expected: string;
}
interface Variant {
  name: string;
  operation: string;
  text: string;
  country?: string;
  expected: unknown;
}

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}
const docExamples = fixture<{ examples: DocExample[] }>('doc-examples.json').examples;
const docErrors = fixture<{ errors: DocError[] }>('doc-errors.json').errors;
const assumedVariants = fixture<{ variants: Variant[] }>('assumed-variants.json').variants;

/** The body as it travels: JSON examples serialised, text ones as they are. */
const bodyText = (example: DocExample): string =>
  example.response.type === 'json'
    ? JSON.stringify(example.response.body)
    : String(example.response.body);

/** What a body means for an operation, by the mapping alone. */
function interpret(operation: string, text: string, country = 'EE'): unknown {
  const answer = readAnswer(text);
  if (answer.kind === 'token') {
    const outcome = outcomeOfToken(answer.token);
    if (outcome === 'expired' || outcome === 'cancelled') return { outcome };
    return outcome ?? 'unknown-word';
  }
  if (answer.kind !== 'rows') return 'unreadable';
  switch (operation) {
    case 'balance':
      return { balance: mapBalance(answer.rows, 'IRT')?.format() };
    case 'catalog':
      return {
        offers: answer.rows
          .map((raw) => mapStockRow(raw, 'IRT'))
          .map((row) => (row === null ? null : offerOf(row)))
          .filter((offer) => offer !== null)
          .map((offer) => ({ ...offer, cost: offer.cost.format() })),
      };
    case 'buy': {
      const number = mapNumber(answer.rows);
      return { upstreamRef: number?.orderId, phoneNumber: toE164(number!.rawPhone, country) };
    }
    case 'status': {
      const status = mapCheckRows(answer.rows, 'ref');
      return { state: status?.state, codes: status?.messages.map((m) => m.code) };
    }
    default:
      return answer.rows;
  }
}

describe("arzancell mapping of the doc's own examples", () => {
  it.each(docExamples)('$name', (example) => {
    const meaning = interpret(example.operation, bodyText(example), 'IR');
    expect(meaning).toEqual(example.expected);
  });

  it('sends what the doc names: api + action, GET, to handler.php', () => {
    for (const example of docExamples) {
      expect(example.request.method).toBe('GET');
      expect(new URL(example.request.url).pathname).toBe('/api/handler.php');
      expect(Object.keys(example.request.params).slice(0, 2)).toEqual(['api', 'action']);
    }
  });
});

describe("arzancell's error words", () => {
  it('knows every word of the doc, and the fixture lists them all', () => {
    expect(docErrors.map((row) => row.token).sort()).toEqual(Object.keys(ARZANCELL_ERRORS).sort());
    for (const row of docErrors) expect(outcomeOfToken(row.token), row.token).toBeDefined();
  });

  it.each(docErrors.filter((row) => !row.expected.startsWith('state:')))(
    '$token on $operation → $expected',
    (row) => {
      const outcome = outcomeOfToken(row.token)!;
      const error = arzanCellError(
        outcome,
        { providerId: 'arzancell-test', operation: row.operation as 'buy' },
        row.token,
      );
      expect(error.constructor.name).toBe(row.expected);
      expect(error.message).toContain(row.token);
    },
  );

  it('folds spellings: case, underscores, spaces, stray quotes', () => {
    expect(normalizeToken(' no_number\n')).toBe('NO NUMBER');
    expect(normalizeToken("CAN'T  GET_SMS")).toBe('CANT GET SMS');
    expect(outcomeOfToken('Uncancellable Order')).toBe('uncancellable');
  });

  it('reads the buy-side TRY AGAIN as safe to fail over', () => {
    const error = arzanCellError(
      'try-again',
      { providerId: 'arzancell-test', operation: 'buy' },
      'TRY AGAIN',
    );
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: true, surelyNotSent: true });
  });
});

describe('arzancell mapping of other plausible forms', () => {
  it.each(assumedVariants)('$name', (variant) => {
    const meaning = interpret(variant.operation, variant.text, variant.country);
    const expected = variant.expected;
    if (typeof expected === 'string') {
      // An error class or a state: check the outcome that leads to it.
      const outcomes: Record<string, unknown> = {
        NoNumbers: 'no-numbers',
        AuthError: 'auth',
        InsufficientUpstreamBalance: 'low-balance',
        NotFound: 'unknown-order',
        Unavailable: 'unknown-word',
        'state:cancelled': { outcome: 'cancelled' },
      };
      expect(meaning).toEqual(outcomes[expected]);
    } else {
      expect(meaning).toEqual(expected);
    }
  });
});

describe('arzancell mapping details', () => {
  it('tells words, rows and garbage apart', () => {
    expect(readAnswer('CANCELED')).toEqual({ kind: 'token', token: 'CANCELED' });
    expect(readAnswer('[]')).toEqual({ kind: 'rows', rows: [] });
    expect(readAnswer('<html><title>502</title></html>').kind).toBe('unreadable');
    expect(readAnswer('{"status":"success","data":[{"id":12,"na').kind).toBe('unreadable');
    expect(readAnswer('')).toEqual({ kind: 'unreadable' });
  });

  it('maps service codes and abbreviations to our slugs only', () => {
    expect(serviceSlugOf('telegram')).toBe('telegram');
    expect(serviceSlugOf('WA')).toBe('whatsapp');
    expect(serviceSlugOf('Twitter / X')).toBe('twitter');
    expect(serviceSlugOf('other')).toBeUndefined();
    expect(serviceSlugOf('some-app')).toBeUndefined();
  });

  it('keeps an "any" country row out of the catalog', () => {
    const row = mapStockRow(
      { server: '1', 'service code': 'telegram', country: 'any', stock: '1', price: 1 },
      'IRT',
    );
    expect(row && offerOf(row)).toBeNull();
  });

  it('round-trips refs', () => {
    const product = { server: '3', country: 'ee', service: 'a:b' };
    expect(decodeOfferRef(encodeOfferRef(product))).toEqual(product);
    expect(decodeOfferRef('3:ee')).toBeNull();
  });
});
