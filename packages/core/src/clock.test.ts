import { describe, expect, it } from 'vitest';
import { FakeClock, realClock, sleep } from './clock.js';
import { InvalidOptionError } from './sinkError.js';

describe('FakeClock', () => {
  it('only moves when stepped or set', () => {
    const clock = new FakeClock(new Date('2026-07-24T10:00:00Z'));
    expect(clock.now().toISOString()).toBe('2026-07-24T10:00:00.000Z');
    clock.step(1500);
    expect(clock.now().toISOString()).toBe('2026-07-24T10:00:01.500Z');
    clock.setTime(new Date('2026-07-24T09:00:00Z'));
    expect(clock.now().toISOString()).toBe('2026-07-24T09:00:00.000Z');
  });

  it('runs due timers in time order, each seeing its own due time', () => {
    const clock = new FakeClock(0);
    const seen: Array<[string, number]> = [];
    clock.setTimer(() => seen.push(['b', clock.now().getTime()]), 200);
    clock.setTimer(() => seen.push(['a', clock.now().getTime()]), 100);
    clock.setTimer(() => seen.push(['c', clock.now().getTime()]), 200);
    clock.step(150);
    expect(seen).toEqual([['a', 100]]);
    clock.step(1000);
    expect(seen).toEqual([
      ['a', 100],
      ['b', 200],
      ['c', 200],
    ]);
    expect(clock.now().getTime()).toBe(1150);
  });

  it('runs timers that timers set, when they fall inside the step', () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    const tick = (): void => {
      fired.push(clock.now().getTime());
      clock.setTimer(tick, 100);
    };
    clock.setTimer(tick, 100);
    clock.step(350);
    expect(fired).toEqual([100, 200, 300]);
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextTimerAt()?.getTime()).toBe(400);
  });

  it('reports a timer due at a fraction of a millisecond so that setting the clock to it fires it', () => {
    // Jittered retry delays are fractional; a Date holds whole milliseconds.
    const clock = new FakeClock(0);
    let ran = false;
    clock.setTimer(() => {
      ran = true;
    }, 12.3);
    expect(clock.nextTimerAt()?.getTime()).toBe(13);
    clock.setTime(clock.nextTimerAt()!);
    expect(ran).toBe(true);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('never runs a cancelled timer', () => {
    const clock = new FakeClock(0);
    let ran = false;
    const timer = clock.setTimer(() => {
      ran = true;
    }, 10);
    timer.cancel();
    timer.cancel();
    clock.step(100);
    expect(ran).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects a negative step as a programmer error', () => {
    expect(() => new FakeClock().step(-1)).toThrow(InvalidOptionError);
  });
});

describe('sleep', () => {
  it('resolves when the clock reaches the deadline', async () => {
    const clock = new FakeClock(0);
    let done = false;
    const p = sleep(clock, 1000).then(() => {
      done = true;
    });
    clock.step(999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.step(1);
    await p;
    expect(done).toBe(true);
  });

  it('rejects at once when the signal aborts, and cancels its timer', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const p = sleep(clock, 1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('real clock timers do not keep the process alive', () => {
    const timer = realClock.setTimer(() => undefined, 60_000);
    timer.cancel();
    expect(realClock.now()).toBeInstanceOf(Date);
  });
});
