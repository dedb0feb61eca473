import type { Store } from '@numbroker/store';
import { describe, expect, it } from 'vitest';
import { createApiStore } from './store-api-store.js';

describe('the API store’s catalog cache', () => {
  it('lets concurrent misses share one read, and keeps no failed read', async () => {
    let reads = 0;
    let failNext = false;
    const store = {
      offers: {
        findOffers: async () => {
          reads += 1;
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (failNext) {
            failNext = false;
            throw new Error('database gone');
          }
          return [];
        },
      },
    } as unknown as Store;
    const api = createApiStore(store);

    // 32 buys at the moment the entry lapsed: one read.
    await Promise.all(Array.from({ length: 32 }, () => api.listOffers('telegram', 'RU')));
    expect(reads).toBe(1);

    // Another key is another read; a failed one is not served again.
    failNext = true;
    await expect(api.listOffers('whatsapp', 'RU')).rejects.toThrow('database gone');
    await expect(api.listOffers('whatsapp', 'RU')).resolves.toEqual([]);
    expect(reads).toBe(3);
  });
});
