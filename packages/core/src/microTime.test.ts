import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatMicroTime,
  formatTime,
  parseTime,
  truncateToSeconds,
  unixNanos,
} from './microTime.js';

describe('time formatting', () => {
  it('formats MicroTime with exactly six fractional digits', () => {
    const d = new Date('2026-07-24T10:00:05.250Z');
    expect(formatMicroTime(d)).toBe('2026-07-24T10:00:05.250000Z');
    expect(formatMicroTime(d, 17)).toBe('2026-07-24T10:00:05.250017Z');
    expect(formatMicroTime(new Date(0))).toBe('1970-01-01T00:00:00.000000Z');
  });

  it('formats Time with seconds precision, truncating the fraction', () => {
    expect(formatTime(new Date('2026-07-24T10:00:05.900Z'))).toBe(
      '2026-07-24T10:00:05Z',
    );
  });

  it('refuses an invalid date', () => {
    expect(() => formatTime(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('parses any fractional precision and rejects garbage', () => {
    expect(parseTime('2026-07-24T10:00:05.123456Z')?.toISOString()).toBe(
      '2026-07-24T10:00:05.123Z',
    );
    expect(parseTime('2026-07-24T10:00:05Z')?.toISOString()).toBe(
      '2026-07-24T10:00:05.000Z',
    );
    expect(parseTime('2026-07-24T12:00:05+02:00')?.toISOString()).toBe(
      '2026-07-24T10:00:05.000Z',
    );
    expect(parseTime('yesterday')).toBeUndefined();
  });

  it('round-trips through MicroTime', () => {
    const d = new Date('2031-02-03T04:05:06.789Z');
    expect(parseTime(formatMicroTime(d))?.getTime()).toBe(d.getTime());
  });

  it('truncates to seconds, also before the epoch', () => {
    expect(truncateToSeconds(new Date(1999)).getTime()).toBe(1000);
    expect(truncateToSeconds(new Date(-1)).getTime()).toBe(-1000);
  });

  it('gives Go UnixNano for a date', () => {
    expect(unixNanos(new Date('2023-01-01T12:00:00Z')).toString(16)).toBe(
      '17362d8e1c698000',
    );
  });

  it('formats every time as toISOString does, with or without a repeat of the last second', () => {
    // Both formatters remember the last second they formatted; interleaving
    // times within one second and across seconds must never reuse a stale text.
    // Up to 1 ms before the end of year 9999, as each time is also tried
    // plus 1 ms: toISOString writes year 10000 as "+010000".
    const time = fc.integer({
      min: Date.UTC(1, 0, 1),
      max: Date.UTC(9999, 11, 31, 23, 59, 59, 998),
    });
    fc.assert(
      fc.property(fc.array(time, { minLength: 1, maxLength: 20 }), (times) => {
        for (const ms of [...times, ...times.map((t) => t + 1)]) {
          const iso = new Date(ms).toISOString();
          const seconds = `${iso.slice(0, 19)}Z`;
          expect(formatTime(new Date(ms))).toBe(seconds);
          expect(formatMicroTime(new Date(ms))).toBe(`${iso.slice(0, 23)}000Z`);
        }
      }),
    );
  });
});
