import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeRecorder } from './fakeRecorder.js';
import { MemorySink } from './memorySink.js';

describe('waitFor under fake timers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('still settles on writes when the test has installed fake timers', async () => {
    vi.useFakeTimers();
    const sink = new MemorySink();
    const waiting = sink.waitFor((s) => s.calls.create > 0);
    await sink
      .create({
        metadata: { name: 'p.1', namespace: 'ns' },
        involvedObject: {
          kind: 'Pod',
          apiVersion: 'v1',
          name: 'p',
          namespace: 'ns',
        },
      })
      .catch(() => undefined);
    await expect(waiting).resolves.toBe(true);
  });

  it('still times out in real time when the test has installed fake timers', async () => {
    vi.useFakeTimers();
    const fake = new FakeRecorder();
    const error = await fake
      .waitFor((f) => f.count() > 0, { timeoutMs: 0 })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
  });
});
