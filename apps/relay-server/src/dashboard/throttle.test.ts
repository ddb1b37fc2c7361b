import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Throttle } from './throttle';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Throttle', () => {
  it('runs at once when quiet, then at most once per interval, with one trailing run for everything requested meanwhile', () => {
    const run = vi.fn();
    const throttle = new Throttle(250, run);
    throttle.request();
    expect(run).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 50; i++) throttle.request();
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(249);
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(2);
    // Nothing requested since: no further run.
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(2);
    throttle.request();
    expect(run).toHaveBeenCalledTimes(3);
  });

  it('a steady stream of requests runs about once per interval', () => {
    const run = vi.fn();
    const throttle = new Throttle(250, run);
    for (let ms = 0; ms < 1000; ms += 10) {
      throttle.request();
      vi.advanceTimersByTime(10);
    }
    vi.advanceTimersByTime(250);
    expect(run.mock.calls.length).toBeGreaterThanOrEqual(4);
    expect(run.mock.calls.length).toBeLessThanOrEqual(5);
  });

  it('cancel drops the pending trailing run', () => {
    const run = vi.fn();
    const throttle = new Throttle(250, run);
    throttle.request();
    throttle.request();
    throttle.cancel();
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
