import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convertMoney, Money, MoneyError } from './index.js';

describe('Money.parse / format', () => {
  it.each([
    ['64400', 'IRT', 64400n, '64400'],
    ['799.70', 'RUB', 79970n, '799.70'],
    ['799.7', 'RUB', 79970n, '799.70'],
    ['0.05', 'USD', 5n, '0.05'],
    ['12', 'usd', 1200n, '12.00'],
    ['12.00', 'IRT', 12n, '12'],
    ['0', 'RUB', 0n, '0.00'],
  ])('%s %s → %s minor', (text, currency, minor, formatted) => {
    const money = Money.parse(text, currency);
    expect(money.minor).toBe(minor);
    expect(money.format()).toBe(formatted);
  });

  it.each([
    ['1.234', 'RUB', 'TOO_MANY_DECIMALS'],
    ['12.5', 'IRT', 'TOO_MANY_DECIMALS'],
    ['-5', 'IRT', 'NEGATIVE_AMOUNT'],
    ['abc', 'IRT', 'INVALID_AMOUNT'],
    ['1e5', 'IRT', 'INVALID_AMOUNT'],
    ['', 'IRT', 'INVALID_AMOUNT'],
    ['1.', 'RUB', 'INVALID_AMOUNT'],
    ['.5', 'RUB', 'INVALID_AMOUNT'],
    ['10', 'XYZ', 'UNKNOWN_CURRENCY'],
  ])('refuses %s %s with %s', (text, currency, code) => {
    expect(() => Money.parse(text, currency)).toThrow(MoneyError);
    try {
      Money.parse(text, currency);
    } catch (error) {
      expect((error as MoneyError).code).toBe(code);
      const named = code === 'UNKNOWN_CURRENCY' ? currency : text === '' ? '""' : text;
      expect((error as MoneyError).message).toContain(named);
    }
  });

  it('accepts negatives only when asked', () => {
    expect(Money.parse('-1.50', 'RUB', { allowNegative: true }).minor).toBe(-150n);
    expect(Money.ofMinor(-150n, 'RUB').format()).toBe('-1.50');
    expect(Money.ofMinor(-5n, 'RUB').format()).toBe('-0.05');
  });

  it('round-trips any amount exactly', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.constantFrom('IRT', 'RUB'),
        (minor, cur) => {
          const money = Money.ofMinor(minor, cur);
          expect(Money.parse(money.format(), cur, { allowNegative: true }).minor).toBe(minor);
        },
      ),
    );
  });
});

describe('arithmetic', () => {
  it('refuses to mix currencies', () => {
    expect(() => Money.parse('1', 'IRT').plus(Money.parse('1', 'RUB'))).toThrow(/IRT with RUB/);
  });

  it('rounds up to a step', () => {
    expect(Money.parse('64401', 'IRT').roundUpTo(100n).minor).toBe(64500n);
    expect(Money.parse('64400', 'IRT').roundUpTo(100n).minor).toBe(64400n);
  });

  it('adds a percentage, rounded up', () => {
    expect(Money.parse('1000', 'IRT').addPercent('15').minor).toBe(1150n);
    expect(Money.parse('1001', 'IRT').addPercent('15').minor).toBe(1152n); // 150.15 → 151
    expect(Money.parse('1000', 'IRT').addPercent('2.5').minor).toBe(1025n);
  });
});

describe('convertMoney', () => {
  const rates = { RUB: '1200', USD: '95000.5', IRR: '0.1' };

  it('converts exactly and rounds up to the target step', () => {
    expect(convertMoney(Money.parse('12.50', 'RUB'), 'IRT', rates).minor).toBe(15000n);
    expect(convertMoney(Money.parse('0.01', 'RUB'), 'IRT', rates).minor).toBe(12n);
    expect(convertMoney(Money.parse('1.00', 'USD'), 'IRT', rates).minor).toBe(95001n);
    expect(convertMoney(Money.parse('15', 'IRR'), 'IRT', rates).minor).toBe(2n);
  });

  it('never loses value: converting rounds up', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), (minor) => {
        const converted = convertMoney(Money.ofMinor(minor, 'RUB'), 'IRT', rates);
        // 1 RUB = 1200 IRT, so 1 kopek = 12 IRT exactly.
        expect(converted.minor).toBe(minor * 12n);
      }),
    );
  });

  it('says which rate is missing', () => {
    expect(() => convertMoney(Money.parse('1', 'EUR'), 'IRT', rates)).toThrow(/exchangeRates\.EUR/);
  });

  it('refuses a non-positive or garbage rate', () => {
    expect(() => convertMoney(Money.parse('1', 'RUB'), 'IRT', { RUB: '0' })).toThrow(MoneyError);
    expect(() => convertMoney(Money.parse('1', 'RUB'), 'IRT', { RUB: 'x' })).toThrow(/rate/);
  });
});
