import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from '../errors/api-error.js';

export interface RateLimitOptions {
  /** Requests (HTTP operations and subscription starts) a key may make per window. */
  points: number;
  windowSeconds: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { points: 120, windowSeconds: 10 };

export class RateLimitExceeded extends ApiError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', `too many requests with this API key; retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}

export type RateLimiter = (key: string) => Promise<void>;

/** Per-key fixed window in memory: each server process limits its own traffic. */
export function createRateLimiter(options: RateLimitOptions = DEFAULT_RATE_LIMIT): RateLimiter {
  const limiter = new RateLimiterMemory({
    points: options.points,
    duration: options.windowSeconds,
  });
  return async (key) => {
    try {
      await limiter.consume(key, 1);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        throw new RateLimitExceeded(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      }
      throw rejection;
    }
  };
}
