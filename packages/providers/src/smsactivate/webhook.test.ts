import { describe, expect, it } from 'vitest';
import { pushedSmsParser } from '../upstream-webhooks.js';
import { MalformedWebhook, parseSmsActivateWebhook } from './webhook.js';

describe('SMS-Activate SMS webhook body', () => {
  it("reads the protocol's callback, ids losslessly", () => {
    const body =
      '{"activationId":90071992547409931,"service":"tg","text":"Telegram code 12345","code":"12345","country":0,"receivedAt":"2026-01-31 12:34:56"}';
    expect(parseSmsActivateWebhook(body)).toEqual({
      upstreamRef: '90071992547409931',
      message: { code: '12345', text: 'Telegram code 12345' },
    });
  });

  it('takes a numeric code, an id as a string, and reads the code from the text when absent', () => {
    expect(parseSmsActivateWebhook('{"activationId":"42","code":777111,"text":""}')).toEqual({
      upstreamRef: '42',
      message: { code: '777111', text: null },
    });
    expect(parseSmsActivateWebhook('{"activationId":42,"text":"Your code: 5566"}')).toEqual({
      upstreamRef: '42',
      message: { code: '5566', text: 'Your code: 5566' },
    });
  });

  it.each([
    ['not JSON', 'activationId=1'],
    ['an array', '[1]'],
    ['no id', '{"code":"1"}'],
    ['a fractional id', '{"activationId":1.5,"code":"1"}'],
    ['a negative id', '{"activationId":-3,"code":"1"}'],
    ['nothing received', '{"activationId":1,"text":"  "}'],
    ['an object as text', '{"activationId":1,"text":{"a":1}}'],
    ['a huge text', `{"activationId":1,"text":"${'x'.repeat(5000)}"}`],
  ])('refuses %s', (_name, body) => {
    expect(() => parseSmsActivateWebhook(body)).toThrow(MalformedWebhook);
  });

  it('is the parser for smsactivate only', () => {
    expect(pushedSmsParser('smsactivate')).toBe(parseSmsActivateWebhook);
    expect(pushedSmsParser('shiznumber')).toBeUndefined();
  });
});
