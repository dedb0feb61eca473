import { describe, expect, it } from 'vitest';
import { smsIdentity } from './sms-identity.js';

describe('smsIdentity', () => {
  it('identifies an SMS by its code, whatever text came with it', () => {
    expect(smsIdentity({ code: '48213', text: null })).toBe(
      smsIdentity({ code: '48213', text: 'Telegram code: 48213. Do not give it to anyone' }),
    );
  });

  it('falls back to the text with its spacing normalised', () => {
    expect(smsIdentity({ code: null, text: ' hello \n world ' })).toBe(
      smsIdentity({ code: '', text: 'hello world' }),
    );
    expect(smsIdentity({ code: null, text: 'a' })).not.toBe(smsIdentity({ code: 'a', text: null }));
  });
});
