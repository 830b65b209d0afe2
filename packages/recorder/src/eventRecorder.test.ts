import {
  FakeClock,
  InvalidOptionError,
  MemoryLogger,
  getPartialReference,
  isDNS1123Subdomain,
  type Event,
  type EventPublisher,
  type EventType,
} from '@event-recorder/core';
import { describe, expect, it } from 'vitest';
import { createEventRecorder } from './eventRecorder.js';

class CollectingPublisher implements EventPublisher<Event> {
  readonly events: Event[] = [];
  readonly invalid: string[] = [];
  accept = true;
  publish(event: Event): boolean {
    this.events.push(event);
    return this.accept;
  }
  reportInvalid(reason: string): void {
    this.invalid.push(reason);
  }
}

const testPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'foo', namespace: 'baz', uid: 'bar' },
};
const testRef = getPartialReference(testPod, 'spec.containers[2]');
const testRef2 = getPartialReference(
  { ...testPod, metadata: { ...testPod.metadata, uid: 'differentUid' } },
  'spec.containers[3]',
);

function setup(start = Date.UTC(2026, 0, 1)) {
  const publisher = new CollectingPublisher();
  const clock = new FakeClock(start);
  const logger = new MemoryLogger();
  const recorder = createEventRecorder({
    publisher,
    clock,
    logger,
    source: { component: 'eventTest' },
  });
  return { publisher, clock, logger, recorder };
}

describe('createEventRecorder', () => {
  it('builds the events of client-go TestEventf, one per call, with the clock time', () => {
    const { publisher, clock, recorder } = setup();
    const calls = [
      [testRef, 'Started', 'some verbose message: %v'],
      [testPod, 'Killed', 'some other verbose message: %v'],
      [testRef, 'Started', 'some verbose message: %v'],
      [testRef2, 'Started', 'some verbose message: %v'],
      [testRef, 'Started', 'some verbose message: %v'],
      [testRef2, 'Stopped', 'some verbose message: %v'],
      [testRef2, 'Stopped', 'some verbose message: %v'],
    ] as const;
    const times: Date[] = [];
    for (const [object, reason, format] of calls) {
      clock.step(1000);
      times.push(clock.now());
      recorder.eventf(object, 'Normal', reason, format, 1);
    }
    expect(publisher.events).toHaveLength(7);
    publisher.events.forEach((event, i) => {
      const [object, reason, format] = calls[i]!;
      const at = times[i]!;
      expect(event.metadata.namespace).toBe('baz');
      expect(event.metadata.name).toBe(
        `foo.${(BigInt(at.getTime()) * 1_000_000n).toString(16)}`,
      );
      expect(event.metadata.annotations).toBeUndefined();
      expect(event.involvedObject).toEqual(
        object === testPod
          ? {
              kind: 'Pod',
              apiVersion: 'v1',
              name: 'foo',
              namespace: 'baz',
              uid: 'bar',
            }
          : object,
      );
      expect(event.reason).toBe(reason);
      expect(event.message).toBe(format.replace('%v', '1'));
      expect(event.source).toEqual({ component: 'eventTest' });
      expect(event.type).toBe('Normal');
      expect(event.count).toBe(1);
      expect(event.firstTimestamp).toEqual(at);
      expect(event.lastTimestamp).toEqual(at);
      expect(event.reportingComponent).toBe('eventTest');
      expect(event.reportingInstance).toBe('');
      for (const unset of [
        'eventTime',
        'series',
        'action',
        'related',
      ] as const) {
        expect(event).not.toHaveProperty(unset);
      }
    });
    expect(publisher.invalid).toEqual([]);
  });

  it('puts events about an object without a namespace in default and keeps the reference empty (TestEventfNoNamespace)', () => {
    const { publisher, recorder } = setup();
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'foo', uid: 'bar' },
    };
    recorder.eventf(
      getPartialReference(pod, 'spec.containers[2]'),
      'Normal',
      'Started',
      'some verbose message: %v',
      1,
    );
    const [event] = publisher.events;
    expect(event?.metadata.namespace).toBe('default');
    expect(event?.involvedObject.namespace).toBeUndefined();
    expect(event?.involvedObject.fieldPath).toBe('spec.containers[2]');
    expect(event?.count).toBe(1);
  });

  it('uses the configured namespace for cluster-scoped objects and warns that the API server will refuse it', () => {
    const publisher = new CollectingPublisher();
    const logger = new MemoryLogger();
    const recorder = createEventRecorder({
      publisher,
      logger,
      clusterScopedNamespace: 'ops',
    });
    recorder.event(
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
      'Normal',
      'Up',
      'up',
    );
    expect(publisher.events[0]?.metadata.namespace).toBe('ops');
    expect(
      logger.find({ level: 'warn', text: 'clusterScopedNamespace' }),
    ).toHaveLength(1);
  });

  it('names an event <name>.<hex nanoseconds>, as pod1.17362d8e1c698000 at 2023-01-01T12:00:00Z', () => {
    const { publisher, recorder } = setup(Date.parse('2023-01-01T12:00:00Z'));
    recorder.event(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'pod1', namespace: 'ns1' },
      },
      'Normal',
      'Started',
      'Pod started',
    );
    expect(publisher.events[0]?.metadata.name).toBe('pod1.17362d8e1c698000');
  });

  it('gives two events in the same millisecond different names, one nanosecond apart', () => {
    const { publisher, recorder } = setup(Date.parse('2023-01-01T12:00:00Z'));
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pod1', namespace: 'ns1' },
    };
    recorder.event(pod, 'Normal', 'A', 'a');
    recorder.event(pod, 'Normal', 'B', 'b');
    expect(publisher.events.map((e) => e.metadata.name)).toEqual([
      'pod1.17362d8e1c698000',
      'pod1.17362d8e1c698001',
    ]);
  });

  it('keeps names unique when the clock steps back', () => {
    const { publisher, clock, recorder } = setup(
      Date.parse('2023-01-01T12:00:00Z'),
    );
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pod1', namespace: 'ns1' },
    };
    recorder.event(pod, 'Normal', 'A', 'a');
    clock.setTime(Date.parse('2023-01-01T11:00:00Z'));
    recorder.event(pod, 'Normal', 'B', 'b');
    const names = publisher.events.map((e) => e.metadata.name);
    expect(new Set(names).size).toBe(2);
  });

  it.each([
    ['x'.repeat(300)],
    ['test.POD'],
    ['test.pod/invalid!chars?'],
    ['--test.pod/invalid!chars?'],
    [''],
  ])('falls back to a random valid name for an object named %j', (name) => {
    const { publisher, recorder } = setup();
    recorder.event(
      { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns1' } },
      'Normal',
      'Started',
      'started',
    );
    const eventName = publisher.events[0]?.metadata.name ?? '';
    expect(isDNS1123Subdomain(eventName)).toBe(true);
    expect(eventName).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('accepts model class instances such as @kubernetes/client-node V1Pod', () => {
    // Shaped like client-node's models: classes with optional fields.
    class V1ObjectMeta {
      name?: string;
      namespace?: string;
      uid?: string;
      creationTimestamp?: Date;
      labels?: Record<string, string>;
    }
    class V1Pod {
      apiVersion?: string;
      kind?: string;
      metadata?: V1ObjectMeta;
    }
    const pod = new V1Pod();
    pod.apiVersion = 'v1';
    pod.kind = 'Pod';
    pod.metadata = Object.assign(new V1ObjectMeta(), {
      name: 'web-1',
      namespace: 'shop',
      uid: 'u1',
      creationTimestamp: new Date(),
      labels: { app: 'web' },
    });
    const { publisher, recorder } = setup();
    recorder.eventf(Object.freeze(pod), 'Normal', 'Started', 'started');
    expect(publisher.events[0]?.involvedObject).toEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      name: 'web-1',
      namespace: 'shop',
      uid: 'u1',
    });
  });

  it('uses the message of event() as it is and always formats the one of eventf()', () => {
    const { publisher, recorder } = setup();
    recorder.event(testPod, 'Normal', 'Full', 'disk 100% full %d');
    recorder.eventf(testPod, 'Normal', 'Full', 'disk 100%% full');
    recorder.eventf(
      testPod,
      'Warning',
      'BackOff',
      'Back-off %d times for %q',
      3,
      'web',
    );
    expect(publisher.events.map((e) => e.message)).toEqual([
      'disk 100% full %d',
      'disk 100% full',
      'Back-off 3 times for "web"',
    ]);
  });

  it('sets a copy of the annotations given to annotatedEventf', () => {
    const { publisher, recorder } = setup();
    const annotations = { 'example.com/trace': 'abc' };
    recorder.annotatedEventf(
      testPod,
      annotations,
      'Normal',
      'Synced',
      'synced %s',
      'ok',
    );
    annotations['example.com/trace'] = 'changed';
    recorder.annotatedEventf(testPod, {}, 'Normal', 'Synced', 'synced');
    expect(publisher.events[0]?.metadata.annotations).toEqual({
      'example.com/trace': 'abc',
    });
    expect(publisher.events[0]?.message).toBe('synced ok');
    expect(publisher.events[1]?.metadata).not.toHaveProperty('annotations');
  });

  it('gives every event its own objects, so changing one leaves the next untouched', () => {
    const { publisher, recorder } = setup();
    recorder.event(testPod, 'Normal', 'A', 'a');
    recorder.event(testPod, 'Normal', 'A', 'a');
    const [a, b] = publisher.events as [Event, Event];
    expect(a.source).not.toBe(b.source);
    expect(a.involvedObject).not.toBe(b.involvedObject);
    expect(a.firstTimestamp).not.toBe(a.lastTimestamp);
  });

  describe('refused input', () => {
    const invalid: Array<[string, unknown, string, string]> = [
      [
        'an object without kind',
        { apiVersion: 'v1', metadata: { name: 'x' } },
        'Normal',
        'invalidObject',
      ],
      [
        'an object without apiVersion',
        { kind: 'Pod', metadata: { name: 'x' } },
        'Normal',
        'invalidObject',
      ],
      ['null', null, 'Normal', 'invalidObject'],
      ['a string', 'pod/x', 'Normal', 'invalidObject'],
      [
        'a name that is not a string',
        { kind: 'Pod', apiVersion: 'v1', metadata: { name: 3 } },
        'Normal',
        'invalidObject',
      ],
      ['a lower-case type', testPod, 'normal', 'invalidType'],
      ['an unknown type', testPod, 'Error', 'invalidType'],
    ];

    it.each(invalid)(
      'drops %s, logs it and reports it as invalid, without throwing',
      (_what, object, type, reason) => {
        const { publisher, logger, recorder } = setup();
        expect(() =>
          recorder.eventf(
            object as typeof testPod,
            type as EventType,
            'Reason',
            'msg %d',
            1,
          ),
        ).not.toThrow();
        expect(publisher.events).toEqual([]);
        expect(publisher.invalid).toEqual([reason]);
        const warnings = logger.find({ level: 'warn' });
        expect(warnings).toHaveLength(1);
        expect(warnings[0]?.fields).toMatchObject({ reason, count: 1 });
      },
    );

    it('logs a repeated refusal at counts 1, 10 and 100, and reports every one', () => {
      const { publisher, logger, recorder } = setup();
      for (let i = 0; i < 150; i++) {
        recorder.event(testPod, 'Bogus' as EventType, 'Reason', 'msg');
      }
      expect(publisher.invalid).toHaveLength(150);
      expect(
        logger.find({ level: 'warn' }).map((e) => e.fields['count']),
      ).toEqual([1, 10, 100]);
    });

    it('drops an event whose reason is not a string', () => {
      const { publisher, recorder } = setup();
      recorder.event(testPod, 'Normal', undefined as unknown as string, 'msg');
      expect(publisher.events).toEqual([]);
      expect(publisher.invalid).toEqual(['invalidReason']);
    });

    it('counts and logs a publisher that throws, and does not throw itself', () => {
      const logger = new MemoryLogger();
      const reported: string[] = [];
      const recorder = createEventRecorder({
        publisher: {
          publish: () => {
            throw new Error('queue exploded');
          },
          reportInvalid: (reason) => reported.push(reason),
        },
        logger,
      });
      expect(() => recorder.event(testPod, 'Normal', 'A', 'a')).not.toThrow();
      expect(() => recorder.event(testPod, 'Normal', 'A', 'a')).not.toThrow();
      expect(reported).toEqual(['publishFailed', 'publishFailed']);
      expect(logger.find({ level: 'warn' })[0]?.fields).toMatchObject({
        error: 'queue exploded',
        reason: 'publishFailed',
      });
    });

    it('survives a format argument whose toString throws, and a publisher without reportInvalid', () => {
      const publish: Event[] = [];
      const recorder = createEventRecorder({
        publisher: { publish: (e) => publish.push(e) > 0 },
      });
      const hostile = {
        toString() {
          throw new Error('nope');
        },
      };
      expect(() =>
        recorder.eventf(testPod, 'Normal', 'A', 'value %s', hostile),
      ).not.toThrow();
      expect(() =>
        recorder.event(null as unknown as typeof testPod, 'Normal', 'A', 'a'),
      ).not.toThrow();
      expect(publish).toEqual([]);
    });

    it('ignores the publisher refusing an event: the publisher counts its own drops', () => {
      const { publisher, recorder } = setup();
      publisher.accept = false;
      recorder.event(testPod, 'Normal', 'A', 'a');
      expect(publisher.events).toHaveLength(1);
      expect(publisher.invalid).toEqual([]);
    });
  });

  describe('withLogger', () => {
    it('logs to the new logger and shares names and drop counts with the parent', () => {
      const { publisher, logger, recorder } = setup(
        Date.parse('2023-01-01T12:00:00Z'),
      );
      const other = new MemoryLogger();
      const child = recorder.withLogger(other);
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'pod1', namespace: 'ns1' },
      };
      recorder.event(pod, 'Normal', 'A', 'a');
      child.event(pod, 'Normal', 'A', 'a');
      expect(publisher.events.map((e) => e.metadata.name)).toEqual([
        'pod1.17362d8e1c698000',
        'pod1.17362d8e1c698001',
      ]);
      expect(publisher.events[1]?.source).toEqual({ component: 'eventTest' });
      for (let i = 0; i < 9; i++)
        recorder.event(pod, 'Bad' as EventType, 'A', 'a');
      child.event(pod, 'Bad' as EventType, 'A', 'a');
      // The tenth drop overall is logged, by the recorder that saw it.
      expect(
        logger.find({ level: 'warn' }).map((e) => e.fields['count']),
      ).toEqual([1]);
      expect(
        other.find({ level: 'warn' }).map((e) => e.fields['count']),
      ).toEqual([10]);
      expect(publisher.invalid).toHaveLength(10);
    });
  });

  describe('options', () => {
    it('throws InvalidOptionError without a publisher', () => {
      expect(() => createEventRecorder({} as never)).toThrow(
        InvalidOptionError,
      );
      expect(() => createEventRecorder({ publisher: {} } as never)).toThrow(
        InvalidOptionError,
      );
    });

    it('throws InvalidOptionError for a cluster-scoped namespace that is not a DNS label', () => {
      expect(() =>
        createEventRecorder({
          publisher: { publish: () => true },
          clusterScopedNamespace: 'Bad_NS',
        }),
      ).toThrow(InvalidOptionError);
    });

    it('sets reportingInstance from source.host', () => {
      const publisher = new CollectingPublisher();
      createEventRecorder({
        publisher,
        source: { component: 'kubelet', host: 'node-1' },
      }).event(testPod, 'Normal', 'A', 'a');
      expect(publisher.events[0]).toMatchObject({
        source: { component: 'kubelet', host: 'node-1' },
        reportingComponent: 'kubelet',
        reportingInstance: 'node-1',
      });
    });
  });
});
