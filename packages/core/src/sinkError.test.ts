import { describe, expect, it } from 'vitest';
import {
  ForbiddenError,
  InvalidError,
  NotFoundError,
  SinkError,
  TransportError,
  isSinkError,
  parseRetryAfter,
  sinkErrorFromStatus,
} from './sinkError.js';

describe('sink errors', () => {
  it.each([
    [404, 'NotFound', false],
    [409, 'AlreadyExists', false],
    [422, 'Invalid', false],
    [400, 'Invalid', false],
    [403, 'Forbidden', false],
    [429, 'TooManyRequests', true],
    [500, 'ServerError', true],
    [503, 'ServerError', true],
    [418, 'RequestConstruction', false],
  ] as const)(
    'maps HTTP %i to %s (retryable: %s)',
    (status, code, retryable) => {
      const err = sinkErrorFromStatus(status, 'server said no', {
        retryAfterMs: 5,
      });
      expect(err).toBeInstanceOf(SinkError);
      expect(err.code).toBe(code);
      expect(err.status).toBe(status);
      expect(err.retryable).toBe(retryable);
      expect(err.retryAfterMs).toBe(5);
      expect(err.message).toBe('server said no');
    },
  );

  it('keeps the cause and a name per class', () => {
    const cause = new Error('ECONNREFUSED');
    const err = new TransportError('connect failed', { cause });
    expect(err.cause).toBe(cause);
    expect(err.name).toBe('TransportError');
    expect(err.retryable).toBe(true);
    expect(new NotFoundError('x').name).toBe('NotFoundError');
    expect(new ForbiddenError('x').status).toBe(403);
    expect(new InvalidError('x', { retryable: true }).retryable).toBe(true);
  });

  it('recognises sink errors, also from another copy of the package', () => {
    expect(isSinkError(new NotFoundError('x'))).toBe(true);
    expect(isSinkError({ code: 'Transport', retryable: true })).toBe(true);
    expect(isSinkError({ code: 'Weird', retryable: true })).toBe(false);
    expect(isSinkError(new Error('x'))).toBe(false);
    expect(isSinkError(null)).toBe(false);
  });

  it('parses Retry-After as seconds or as a date', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
