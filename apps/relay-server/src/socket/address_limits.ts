import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

// Limits per client address: how many connections it holds open at once, and how many
// participant hellos it says a minute (each may create a participant; failed ones count
// too, which also slows down guessing join codes).

/**
 * Open connections per address. A gauge, not a rate, so a counter rather than a rate
 * limiter: it must be exact and synchronous at the moment a connection opens (an
 * asynchronous check would let a burst of simultaneous connections all pass).
 */
export class ConnectionCounter {
  private readonly open = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** Counts a connection from `address`; false when that puts it over the limit (it is counted all the same, until released). */
  acquire(address: string): boolean {
    const count = (this.open.get(address) ?? 0) + 1;
    this.open.set(address, count);
    return count <= this.limit;
  }

  release(address: string): void {
    const count = (this.open.get(address) ?? 1) - 1;
    if (count <= 0) this.open.delete(address);
    else this.open.set(address, count);
  }
}

export class HelloRateLimit {
  private readonly limiter: RateLimiterMemory;

  constructor(readonly perMinute: number) {
    this.limiter = new RateLimiterMemory({ keyPrefix: 'hello', points: perMinute, duration: 60 });
  }

  /** Takes one hello from `address`'s allowance; resolves to the seconds to wait when there is none left. */
  async take(address: string): Promise<number | undefined> {
    try {
      await this.limiter.consume(address);
      return undefined;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw rejection;
    }
  }
}
