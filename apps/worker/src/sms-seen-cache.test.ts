import { describe, expect, it } from 'vitest';
import { SmsSeenCache } from './sms-seen-cache.js';

describe('SmsSeenCache', () => {
  it('knows what it was told, per order', () => {
    const cache = new SmsSeenCache();
    expect(cache.hasAll('o1', ['c:1'])).toBe(false);
    cache.add('o1', ['c:1']);
    expect(cache.hasAll('o1', ['c:1'])).toBe(true);
    expect(cache.hasAll('o1', ['c:1', 'c:2'])).toBe(false);
    expect(cache.hasAll('o2', ['c:1'])).toBe(false);
    cache.forget('o1');
    expect(cache.isLoaded('o1')).toBe(false);
  });

  it('forgets the least recently used orders past its bound', () => {
    const cache = new SmsSeenCache(2);
    cache.add('o1', ['c:1']);
    cache.add('o2', ['c:2']);
    expect(cache.hasAll('o1', ['c:1'])).toBe(true); // o1 is now the most recent
    cache.add('o3', ['c:3']);
    expect(cache.size).toBe(2);
    expect(cache.isLoaded('o2')).toBe(false);
    expect(cache.isLoaded('o1')).toBe(true);
    expect(cache.isLoaded('o3')).toBe(true);
  });
});
