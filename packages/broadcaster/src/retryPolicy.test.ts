import {
  AlreadyExistsError,
  ForbiddenError,
  InvalidError,
  InvalidOptionError,
  NotFoundError,
  RequestConstructionError,
  ServerError,
  TooManyRequestsError,
  TransportError,
} from '@event-recorder/core';
import { describe, expect, it } from 'vitest';
import {
  createBackoffRetryPolicy,
  createClientGoRetryPolicy,
  resolveRetryPolicy,
} from './retryPolicy.js';

const ctx = (attempt: number, series = false) => ({ attempt, series });

describe('createBackoffRetryPolicy', () => {
  const policy = createBackoffRetryPolicy({
    initialDelayMs: 100,
    maxDelayMs: 1000,
    random: () => 0,
  });

  it('retries Transport, ServerError, TooManyRequests and unknown errors', () => {
    for (const error of [
      new TransportError('x'),
      new ServerError('x'),
      new TooManyRequestsError('x'),
      new Error('weird'),
    ]) {
      expect(policy.retryDelayMs(error, ctx(1))).toBe(100);
    }
  });

  it('treats Invalid, Forbidden, AlreadyExists, NotFound and RequestConstruction as final', () => {
    for (const error of [
      new InvalidError('x'),
      new ForbiddenError('x'),
      new AlreadyExistsError('x'),
      new NotFoundError('x'),
      new RequestConstructionError('x'),
    ]) {
      expect(policy.retryDelayMs(error, ctx(1, true))).toBeUndefined();
    }
  });

  it('doubles the delay up to the maximum', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((a) =>
      policy.retryDelayMs(new TransportError('x'), ctx(a)),
    );
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('jitters each delay down by at most the jitter share', () => {
    const jittered = createBackoffRetryPolicy({
      initialDelayMs: 1000,
      jitter: 0.5,
      random: () => 0.999,
    });
    const delay = jittered.retryDelayMs(new TransportError('x'), ctx(1))!;
    expect(delay).toBeGreaterThan(500);
    expect(delay).toBeLessThan(501);
  });

  it('never waits less than the server asked, up to maxRetryAfterMs', () => {
    const p = createBackoffRetryPolicy({
      initialDelayMs: 100,
      maxRetryAfterMs: 10_000,
      random: () => 0,
    });
    expect(
      p.retryDelayMs(
        new TooManyRequestsError('x', { retryAfterMs: 3000 }),
        ctx(1),
      ),
    ).toBe(3000);
    expect(
      p.retryDelayMs(
        new TooManyRequestsError('x', { retryAfterMs: 60_000 }),
        ctx(1),
      ),
    ).toBe(10_000);
  });

  it('is not sequential', () => {
    expect(policy.sequential).toBe(false);
  });

  it('refuses options that can never work', () => {
    expect(() => createBackoffRetryPolicy({ initialDelayMs: -1 })).toThrow(
      InvalidOptionError,
    );
    expect(() => createBackoffRetryPolicy({ jitter: 2 })).toThrow(
      InvalidOptionError,
    );
  });
});

describe('createClientGoRetryPolicy', () => {
  it('retries only errors without an HTTP answer (tools/record)', () => {
    const p = createClientGoRetryPolicy({ random: () => 0.5 });
    expect(p.sequential).toBe(true);
    expect(p.retryDelayMs(new TransportError('x'), ctx(1))).toBe(5000);
    expect(p.retryDelayMs(new Error('weird'), ctx(2))).toBe(10_000);
    for (const error of [
      new ServerError('x', { status: 503 }),
      new TooManyRequestsError('x', { retryAfterMs: 1 }),
      new AlreadyExistsError('x'),
      new RequestConstructionError('x'),
    ]) {
      expect(p.retryDelayMs(error, ctx(1, true))).toBeUndefined();
    }
  });

  it('jitters every events.k8s.io delay within 10–12.5 s and retries AlreadyExists on series writes', () => {
    const low = createClientGoRetryPolicy({
      flavour: 'events',
      random: () => 0,
    });
    const high = createClientGoRetryPolicy({
      flavour: 'events',
      random: () => 0.999999,
    });
    expect(low.retryDelayMs(new TransportError('x'), ctx(1))).toBe(10_000);
    expect(low.retryDelayMs(new TransportError('x'), ctx(5))).toBe(10_000);
    expect(high.retryDelayMs(new TransportError('x'), ctx(3))).toBeCloseTo(
      12_500,
      0,
    );
    expect(low.retryDelayMs(new AlreadyExistsError('x'), ctx(1, true))).toBe(
      10_000,
    );
    expect(
      low.retryDelayMs(new AlreadyExistsError('x'), ctx(1, false)),
    ).toBeUndefined();
  });
});

describe('resolveRetryPolicy', () => {
  it("derives the default policy's delays from sleepDurationMs", () => {
    const p = resolveRetryPolicy('default', 10_000, 'record', () => 0);
    expect(p.retryDelayMs(new TransportError('x'), ctx(1))).toBe(1000);
    expect(p.retryDelayMs(new TransportError('x'), ctx(10))).toBe(30_000);
  });

  it('rejects an object without retryDelayMs', () => {
    expect(() =>
      resolveRetryPolicy({ sequential: false } as never, 0, 'record'),
    ).toThrow(InvalidOptionError);
  });
});
