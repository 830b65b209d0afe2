import {
  FakeClock,
  InvalidOptionError,
  noopLogger,
  type EventRecorder,
  type EventsRecorder,
  type EventType,
} from '@event-recorder/core';
import { describe, expect, it } from 'vitest';
import { FakeRecorder, formatClientGoString } from './fakeRecorder.js';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u1' },
};
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };

describe('FakeRecorder', () => {
  it('records core/v1-style calls as structured objects with the formatted message', () => {
    const clock = new FakeClock(new Date('2026-07-24T10:00:00Z'));
    const fake = new FakeRecorder({ clock });
    const recorder: EventRecorder = fake;
    recorder.eventf(
      pod,
      'Warning',
      'BackOff',
      'Back-off %d times for %q',
      3,
      'web',
    );
    recorder.annotatedEventf(
      pod,
      { trace: 'abc' },
      'Normal',
      'Synced',
      'synced',
    );
    expect(fake.events).toEqual([
      {
        api: 'v1',
        method: 'eventf',
        object: pod,
        reference: {
          kind: 'Pod',
          apiVersion: 'v1',
          name: 'web-1',
          namespace: 'shop',
          uid: 'u1',
        },
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off 3 times for "web"',
        format: 'Back-off %d times for %q',
        args: [3, 'web'],
        at: new Date('2026-07-24T10:00:00Z'),
      },
      expect.objectContaining({
        method: 'annotatedEventf',
        annotations: { trace: 'abc' },
        message: 'synced',
      }),
    ]);
  });

  it('records events.k8s.io-style calls with regarding, related and action', () => {
    const fake = new FakeRecorder();
    const recorder: EventsRecorder = fake;
    recorder.eventf(
      pod,
      node,
      'Normal',
      'Scheduled',
      'Binding',
      'bound to %s',
      'n1',
    );
    recorder.annotatedEventf(
      pod,
      undefined,
      { a: 'b' },
      'Warning',
      'Failed',
      'Pulling',
      'failed %d',
      2,
    );
    const [first, second] = fake.events;
    expect(first).toMatchObject({
      api: 'events.k8s.io/v1',
      object: pod,
      related: node,
      relatedReference: { kind: 'Node', name: 'n1' },
      action: 'Binding',
      message: 'bound to n1',
    });
    expect(second).toMatchObject({
      api: 'events.k8s.io/v1',
      method: 'annotatedEventf',
      annotations: { a: 'b' },
      type: 'Warning',
      action: 'Pulling',
      message: 'failed 2',
    });
    expect(second).not.toHaveProperty('related');
  });

  it('does not format the message of event()', () => {
    const fake = new FakeRecorder();
    fake.event(pod, 'Normal', 'Full', 'disk 100% full');
    expect(fake.last()?.message).toBe('disk 100% full');
    expect(fake.strings()).toEqual(['Normal Full disk 100% full']);
  });

  it('answers queries by reason, type, kind, name, namespace, message and object', () => {
    const fake = new FakeRecorder();
    fake.eventf(pod, 'Normal', 'Started', 'Started container %s', 'web');
    fake.eventf(pod, 'Warning', 'BackOff', 'Back-off');
    fake.eventf(node, undefined, 'Normal', 'Ready', 'Check', 'node ready');
    expect(fake.count()).toBe(3);
    expect(fake.find({ reason: 'Started' })).toHaveLength(1);
    expect(fake.count({ kind: 'Pod' })).toBe(2);
    expect(fake.count({ namespace: '' })).toBe(1);
    expect(fake.count({ message: /^Started container/ })).toBe(1);
    expect(
      fake.count({ object: node, api: 'events.k8s.io/v1', action: 'Check' }),
    ).toBe(1);
    expect(fake.last({ type: 'Warning' })?.reason).toBe('BackOff');
    expect(fake.last({ name: 'nope' })).toBeUndefined();
  });

  it('records calls a real recorder would drop, marked with the problem', () => {
    const fake = new FakeRecorder();
    fake.eventf({ metadata: { name: 'x' } }, 'Normal', 'R', 'm');
    fake.eventf(pod, 'Info' as EventType, 'R', 'm');
    fake.eventf(pod, 'Normal', 'R', 'm');
    expect(fake.find({ valid: false }).map((e) => e.problem)).toEqual([
      expect.stringContaining('no kind'),
      'Unsupported event type: "Info"',
    ]);
    expect(fake.count({ valid: true })).toBe(1);
  });

  it('never blocks: with a capacity it drops the oldest calls and counts them', () => {
    const fake = new FakeRecorder({ capacity: 2 });
    for (let i = 0; i < 5; i++) fake.eventf(pod, 'Normal', 'R', 'm%d', i);
    expect(fake.events.map((e) => e.message)).toEqual(['m3', 'm4']);
    expect(fake.dropped).toBe(3);
    fake.clear();
    expect(fake.events).toEqual([]);
    expect(fake.dropped).toBe(0);
  });

  it('never throws, even for hostile arguments', () => {
    const fake = new FakeRecorder();
    const hostile = {
      toString() {
        throw new Error('nope');
      },
    };
    expect(() => fake.eventf(pod, 'Normal', 'R', '%s', hostile)).not.toThrow();
    expect(() => fake.event(null as never, 'Normal', 'R', 'm')).not.toThrow();
    expect(fake.events).toHaveLength(2);
    expect(fake.events[0]?.message).toContain('FORMAT ERROR');
  });

  it('returns itself from withLogger, as client-go fakes do', () => {
    const fake = new FakeRecorder();
    expect(fake.withLogger(noopLogger)).toBe(fake);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new FakeRecorder({ capacity: 0 })).toThrow(InvalidOptionError);
    expect(() => new FakeRecorder({ capacity: 1.5 })).toThrow(
      InvalidOptionError,
    );
  });

  it('waits for a call made later', async () => {
    const fake = new FakeRecorder();
    const waiting = fake.waitFor((r) => r.last({ reason: 'Done' }));
    fake.eventf(pod, 'Normal', 'Other', 'x');
    fake.eventf(pod, 'Normal', 'Done', 'finished %s', 'ok');
    await expect(waiting).resolves.toMatchObject({ message: 'finished ok' });
  });

  describe('client-go string rendering (spec §2.14)', () => {
    it('renders core/v1-style calls as record.FakeRecorder does', () => {
      const fake = new FakeRecorder();
      fake.eventf(pod, 'Normal', 'Started', 'some message %d', 1);
      fake.annotatedEventf(
        pod,
        { b: '2', a: '1' },
        'Warning',
        'Failed',
        'failed',
      );
      expect(fake.strings()).toEqual([
        'Normal Started some message 1',
        'Warning Failed failed map[a:1 b:2]',
      ]);
      expect(fake.strings({ includeObject: true })).toEqual([
        'Normal Started some message 1 involvedObject{kind=Pod,apiVersion=v1}',
        'Warning Failed failed involvedObject{kind=Pod,apiVersion=v1} map[a:1 b:2]',
      ]);
    });

    it('renders events.k8s.io-style calls as events.FakeRecorder does, plain and verbose', () => {
      const fake = new FakeRecorder();
      fake.eventf(
        pod,
        node,
        'Normal',
        'Scheduled',
        'Binding',
        'bound to %s',
        'n1',
      );
      fake.annotatedEventf(
        pod,
        undefined,
        { k: 'v' },
        'Normal',
        'Synced',
        'Sync',
        'ok',
      );
      expect(fake.strings()).toEqual([
        'Normal Scheduled bound to n1',
        'Normal Synced ok',
      ]);
      expect(fake.strings({ verbose: true })).toEqual([
        'Normal Scheduled Binding bound to n1 {kind=Pod,apiVersion=v1} {kind=Node,apiVersion=v1}',
        'Normal Synced Sync ok {kind=Pod,apiVersion=v1} map[k:v]',
      ]);
      expect(formatClientGoString(fake.events[0]!)).toBe(
        'Normal Scheduled bound to n1',
      );
    });
  });
});
