import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError, gql } from './api.js';
import { useAdminKey } from './admin-key-context.js';

export interface ApiState<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

/** Runs `query` with the admin key now, whenever `variables` change, and every `refreshMs`
 *  (0: never). A failed refresh keeps the last data and shows the error. */
export function useApi<T, V extends Record<string, unknown> = Record<string, unknown>>(
  query: string,
  variables: V = {} as V,
  refreshMs = 0,
): ApiState<T> {
  const apiKey = useAdminKey();
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const variablesText = JSON.stringify(variables);
  const generation = useRef(0);

  useEffect(() => {
    const mine = ++generation.current;
    setLoading(true);
    gql<T>(apiKey, query, JSON.parse(variablesText) as Record<string, unknown>).then(
      (result) => {
        if (mine !== generation.current) return;
        setData(result);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (mine !== generation.current) return;
        setError(describeError(failure));
        setLoading(false);
      },
    );
  }, [apiKey, query, variablesText, tick]);

  useEffect(() => {
    if (refreshMs <= 0) return undefined;
    const timer = setInterval(() => setTick((value) => value + 1), refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);

  const reload = useCallback(() => setTick((value) => value + 1), []);
  return { data, error, loading, reload };
}
