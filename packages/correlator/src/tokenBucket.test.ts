import { FakeClock, InvalidOptionError } from '@event-recorder/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from './tokenBucket.js';

const T0 = Date.UTC(2026, 6, 24, 10, 0, 0);

describe('TokenBucket', () => {
  it('starts full and then rejects until a whole token has refilled', () => {
    const clock = new FakeClock(T0);
    const bucket = new TokenBucket({ qps: 1 / 300, burst: 25, clock });
    // Spec §2.8: 30 events one second apart; 1..25 pass, 26..30 do not.
    const accepted: number[] = [];
    for (let t = 0; t < 30; t++) {
      clock.setTime(T0 + t * 1000);
      if (bucket.tryAccept()) accepted.push(t);
    }
    expect(accepted).toEqual([...Array(25).keys()]);
    clock.setTime(T0 + 299_000);
    expect(bucket.tryAccept()).toBe(false);
    clock.setTime(T0 + 300_000);
    expect(bucket.tryAccept()).toBe(true);
    expect(bucket.tryAccept()).toBe(false);
  });

  it('uses the rate as a 32-bit float, as Go float32', () => {
    const bucket = new TokenBucket({ qps: 1 / 300, burst: 1 });
    expect(bucket.qps).toBe(0.0033333334140479565);
    expect(bucket.qps).not.toBe(1 / 300);
  });

  it('does not change state when it rejects', () => {
    const clock = new FakeClock(T0);
    const bucket = new TokenBucket({ qps: 1, burst: 1, clock });
    expect(bucket.tryAccept()).toBe(true);
    // Rejections at 0.5 s must not move the refill origin away from 0 s.
    clock.setTime(T0 + 500);
    expect(bucket.tryAccept()).toBe(false);
    clock.setTime(T0 + 999);
    expect(bucket.tryAccept()).toBe(false);
    clock.setTime(T0 + 1000);
    expect(bucket.tryAccept()).toBe(true);
  });

  it('counts no refill when the clock goes back', () => {
    const clock = new FakeClock(T0 + 10_000);
    const bucket = new TokenBucket({ qps: 1, burst: 2, clock });
    expect(bucket.tryAccept()).toBe(true);
    expect(bucket.tryAccept()).toBe(true);
    clock.setTime(T0);
    expect(bucket.tryAccept()).toBe(false);
    // The clock went back to T0 without an acceptance, so refill still
    // counts from T0 + 10 s.
    clock.setTime(T0 + 10_999);
    expect(bucket.tryAccept()).toBe(false);
    clock.setTime(T0 + 11_000);
    expect(bucket.tryAccept()).toBe(true);
  });

  it('accepts a deficit worth less than one nanosecond of refill, as x/time/rate', () => {
    const clock = new FakeClock(T0);
    // At 2e9 tokens/s a deficit of one token is 0.5 ns, truncated to 0 ns.
    const bucket = new TokenBucket({ qps: 2e9, burst: 1, clock });
    expect(bucket.tryAccept()).toBe(true);
    expect(bucket.tryAccept()).toBe(true);
    // A deficit of two tokens is 1 ns: a real wait.
    expect(bucket.tryAccept()).toBe(false);
  });

  it('rejects everything with a burst of 0 and never refills with a rate of 0', () => {
    const clock = new FakeClock(T0);
    const empty = new TokenBucket({ qps: 1000, burst: 0, clock });
    expect(empty.tryAccept()).toBe(false);
    const stuck = new TokenBucket({ qps: 0, burst: 1, clock });
    expect(stuck.tryAccept()).toBe(true);
    clock.step(86_400_000);
    expect(stuck.tryAccept()).toBe(false);
  });

  it('reads the clock exactly once per call', () => {
    let reads = 0;
    const clock = { now: () => (reads++, new Date(T0)) };
    const bucket = new TokenBucket({ qps: 1, burst: 1, clock });
    bucket.tryAccept();
    bucket.tryAccept();
    expect(reads).toBe(2);
  });

  it('throws InvalidOptionError for a non-finite rate or a fractional burst', () => {
    expect(() => new TokenBucket({ qps: Number.NaN, burst: 1 })).toThrow(
      InvalidOptionError,
    );
    expect(() => new TokenBucket({ qps: 1, burst: 1.5 })).toThrow(
      InvalidOptionError,
    );
  });

  it('never admits more than burst + elapsed × qps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 1e-4, max: 100, noNaN: true }),
        fc.array(fc.integer({ min: 0, max: 120_000 }), { maxLength: 300 }),
        (burst, qps, gaps) => {
          const clock = new FakeClock(T0);
          const bucket = new TokenBucket({ qps, burst, clock });
          let admitted = 0;
          let elapsedMs = 0;
          for (const gap of gaps) {
            clock.step(gap);
            elapsedMs += gap;
            if (bucket.tryAccept()) admitted++;
            const limit = burst + (elapsedMs / 1000) * Math.fround(qps);
            expect(admitted).toBeLessThanOrEqual(limit + 1e-6);
          }
        },
      ),
    );
  });
});
