import { useEffect, useRef, useState } from 'react';
import { createWsClient } from './api.js';
import type { Money } from './money.js';

export interface OrderRow {
  id: string;
  status: string;
  service: string;
  country: string;
  provider: string;
  phoneNumber: string | null;
  price: Money;
  smsCode: string | null;
  createdAt: string;
  upstreamCost: Money | null;
  margin: Money | null;
}

export const ORDER_FIELDS = `id status service country provider phoneNumber price { amount currency } smsCode createdAt
  upstreamCost { amount currency } margin { amount currency }`;

const ORDER_UPDATED = `subscription { orderUpdated { eventId type order { ${ORDER_FIELDS} } } }`;

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/** Every user's order changes, as the admin key hears them over graphql-ws. */
export function useOrderUpdates(
  apiKey: string,
  onUpdate: (event: { type: string; order: OrderRow }) => void,
): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  // Read through a ref: resubscribing on every render would drop events in between.
  const handler = useRef(onUpdate);
  handler.current = onUpdate;
  useEffect(() => {
    const client = createWsClient(apiKey);
    const offConnected = client.on('connected', () => setState('live'));
    const offClosed = client.on('closed', () => setState('reconnecting'));
    const stop = client.subscribe<{ orderUpdated: { type: string; order: OrderRow } }>(
      { query: ORDER_UPDATED },
      {
        next: (result) => {
          if (result.data) handler.current(result.data.orderUpdated);
        },
        error: () => setState('reconnecting'),
        complete: () => undefined,
      },
    );
    return () => {
      stop();
      offConnected();
      offClosed();
      void client.dispose();
    };
  }, [apiKey]);
  return state;
}
