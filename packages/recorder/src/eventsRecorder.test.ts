import { hostname } from 'node:os';
import {
  FakeClock,
  InvalidOptionError,
  MemoryLogger,
  isDNS1123Subdomain,
  validateEventCreate,
  eventsV1ToCoreV1,
  type EventPublisher,
  type EventsV1Event,
  type EventType,
} from '@event-recorder/core';
import { describe, expect, it } from 'vitest';
import { createEventsRecorder } from './eventsRecorder.js';

class CollectingPublisher implements EventPublisher<EventsV1Event> {
  readonly events: EventsV1Event[] = [];
  readonly invalid: string[] = [];
  publish(event: EventsV1Event): boolean {
    this.events.push(event);
    return true;
  }
  reportInvalid(reason: string): void {
    this.invalid.push(reason);
  }
}

const at = new Date('2023-01-01T12:00:00Z');
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'pod1', namespace: 'ns1', uid: '12345' },
};
const node = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node1', uid: '67890' },
};

function setup(
  options: { reportingInstance?: string } = { reportingInstance: 'i1' },
) {
  const publisher = new CollectingPublisher();
  const logger = new MemoryLogger();
  const recorder = createEventsRecorder({
    publisher,
    reportingController: 'c1',
    clock: new FakeClock(at),
    logger,
    ...options,
  });
  return { publisher, logger, recorder };
}

const uuid =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('createEventsRecorder', () => {
  it('records a normal event as client-go TestEventf does', () => {
    const { publisher, recorder } = setup();
    recorder.eventf(
      pod,
      undefined,
      'Normal',
      'Started',
      'starting',
      'Pod started',
    );
    expect(publisher.events).toEqual([
      {
        metadata: { name: 'pod1.17362d8e1c698000', namespace: 'ns1' },
        eventTime: at,
        reportingController: 'c1',
        reportingInstance: 'i1',
        action: 'starting',
        reason: 'Started',
        regarding: {
          kind: 'Pod',
          apiVersion: 'v1',
          name: 'pod1',
          namespace: 'ns1',
          uid: '12345',
        },
        note: 'Pod started',
        type: 'Normal',
      },
    ]);
    const [event] = publisher.events;
    for (const unset of [
      'series',
      'related',
      'deprecatedSource',
      'deprecatedFirstTimestamp',
      'deprecatedLastTimestamp',
      'deprecatedCount',
    ]) {
      expect(event).not.toHaveProperty(unset);
    }
  });

  it('formats the note and references a cluster-scoped related object', () => {
    const { publisher, recorder } = setup();
    recorder.eventf(
      pod,
      node,
      'Warning',
      'FailedScheduling',
      'scheduling',
      'Pod failed to schedule on %s: %s',
      'node1',
      'not enough resources',
    );
    expect(publisher.events[0]).toMatchObject({
      metadata: { name: 'pod1.17362d8e1c698000', namespace: 'ns1' },
      note: 'Pod failed to schedule on node1: not enough resources',
      related: { kind: 'Node', apiVersion: 'v1', name: 'node1', uid: '67890' },
    });
  });

  it('puts an event about a cluster-scoped object with an invalid name in default, under a random name', () => {
    const { publisher, recorder } = setup();
    recorder.eventf(
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IPAddress',
        metadata: { name: '2001:db8::123', uid: '12345' },
      },
      undefined,
      'Warning',
      'IPAddressNotAllocated',
      'IPAddressAllocation',
      'Service default/test appears to have leaked',
    );
    const [event] = publisher.events;
    expect(event?.metadata.namespace).toBe('default');
    expect(event?.metadata.name).toMatch(uuid);
    expect(event?.regarding?.apiVersion).toBe('networking.k8s.io/v1');
    expect(event?.regarding).not.toHaveProperty('namespace');
  });

  it('gives an event about an object with a 1012-character name a random valid name', () => {
    const { publisher, recorder } = setup();
    recorder.eventf(
      { ...pod, metadata: { name: 'x'.repeat(1012), namespace: 'ns1' } },
      undefined,
      'Normal',
      'Started',
      'starting',
      'Pod started',
    );
    const name = publisher.events[0]?.metadata.name ?? '';
    expect(isDNS1123Subdomain(name)).toBe(true);
    expect(publisher.events[0]?.metadata.namespace).toBe('ns1');
  });

  it('produces events the API server accepts through events.k8s.io/v1', () => {
    const { publisher, recorder } = setup();
    recorder.eventf(
      pod,
      node,
      'Normal',
      'Scheduled',
      'Binding',
      'bound to %s',
      'node1',
    );
    recorder.eventf(
      node,
      undefined,
      'Warning',
      'NotReady',
      'Checking',
      'not ready',
    );
    for (const event of publisher.events) {
      expect(
        validateEventCreate(eventsV1ToCoreV1(event), 'events.k8s.io/v1'),
      ).toEqual([]);
    }
  });

  it('sets a copy of the annotations given to annotatedEventf', () => {
    const { publisher, recorder } = setup();
    const annotations = { traceparent: '00-abc-def-01' };
    recorder.annotatedEventf(
      pod,
      undefined,
      annotations,
      'Normal',
      'Synced',
      'Sync',
      'synced %d',
      2,
    );
    annotations.traceparent = 'changed';
    expect(publisher.events[0]?.metadata.annotations).toEqual({
      traceparent: '00-abc-def-01',
    });
    expect(publisher.events[0]?.note).toBe('synced 2');
  });

  it('truncates a note over 1024 UTF-8 bytes to what the API server accepts, and warns', () => {
    const { publisher, logger, recorder } = setup();
    const long = 'é'.repeat(600); // 1200 bytes
    recorder.eventf(pod, undefined, 'Warning', 'Failed', 'Run', '%s', long);
    recorder.eventf(
      pod,
      undefined,
      'Warning',
      'Failed',
      'Run',
      'x'.repeat(1024),
    );
    const [first, second] = publisher.events;
    expect(Buffer.byteLength(first!.note!)).toBeLessThanOrEqual(1024);
    expect(first!.note!.endsWith('…')).toBe(true);
    expect(first!.note!.startsWith('éé')).toBe(true);
    expect(second!.note).toBe('x'.repeat(1024));
    expect(
      validateEventCreate(eventsV1ToCoreV1(first!), 'events.k8s.io/v1'),
    ).toEqual([]);
    expect(logger.find({ level: 'warn' })[0]?.fields).toMatchObject({
      reason: 'noteTruncated',
      count: 1,
      bytes: 1200,
    });
    expect(publisher.invalid).toEqual([]);
  });

  it('sends a long note as it is with truncateNote: false, as client-go does', () => {
    const publisher = new CollectingPublisher();
    const recorder = createEventsRecorder({
      publisher,
      reportingController: 'c1',
      truncateNote: false,
    });
    recorder.eventf(
      pod,
      undefined,
      'Warning',
      'Failed',
      'Run',
      'x'.repeat(2000),
    );
    expect(publisher.events[0]?.note).toHaveLength(2000);
  });

  it('defaults reportingInstance to <controller>-<hostname>', () => {
    const { publisher, recorder } = setup({});
    recorder.eventf(pod, undefined, 'Normal', 'Started', 'starting', 'ok');
    expect(publisher.events[0]?.reportingInstance).toBe(`c1-${hostname()}`);
  });

  it('records the event without related when related cannot be referenced', () => {
    const { publisher, logger, recorder } = setup();
    recorder.eventf(
      pod,
      { metadata: { name: 'x' } },
      'Normal',
      'Started',
      'starting',
      'ok',
    );
    expect(publisher.events).toHaveLength(1);
    expect(publisher.events[0]).not.toHaveProperty('related');
    expect(publisher.invalid).toEqual([]);
    expect(logger.find({ level: 'debug' })).toHaveLength(1);
  });

  it.each([
    [
      'a regarding object without kind',
      { apiVersion: 'v1', metadata: { name: 'x' } },
      'Normal',
      'invalidObject',
    ],
    ['undefined regarding', undefined, 'Normal', 'invalidObject'],
    ['an invalid type', pod, 'Info', 'invalidType'],
  ])(
    'drops %s, logs it and reports it, without throwing',
    (_what, regarding, type, reason) => {
      const { publisher, logger, recorder } = setup();
      expect(() =>
        recorder.eventf(
          regarding as typeof pod,
          undefined,
          type as EventType,
          'R',
          'A',
          'n',
        ),
      ).not.toThrow();
      expect(publisher.events).toEqual([]);
      expect(publisher.invalid).toEqual([reason]);
      expect(logger.find({ level: 'warn' })).toHaveLength(1);
    },
  );

  it('counts a publisher that throws as a drop', () => {
    const reported: string[] = [];
    const recorder = createEventsRecorder({
      publisher: {
        publish: () => {
          throw new Error('boom');
        },
        reportInvalid: (r) => reported.push(r),
      },
      reportingController: 'c1',
    });
    expect(() =>
      recorder.eventf(pod, undefined, 'Normal', 'R', 'A', 'n'),
    ).not.toThrow();
    expect(reported).toEqual(['publishFailed']);
  });

  it('shares names with recorders made by withLogger, which log elsewhere', () => {
    const { publisher, logger, recorder } = setup();
    const other = new MemoryLogger();
    recorder.eventf(pod, undefined, 'Normal', 'Started', 'starting', 'ok');
    recorder
      .withLogger(other)
      .eventf(pod, undefined, 'Normal', 'Started', 'starting', 'ok');
    recorder
      .withLogger(other)
      .eventf(pod, undefined, 'Info' as EventType, 'R', 'A', 'n');
    expect(publisher.events.map((e) => e.metadata.name)).toEqual([
      'pod1.17362d8e1c698000',
      'pod1.17362d8e1c698001',
    ]);
    expect(publisher.events[1]?.reportingInstance).toBe('i1');
    expect(other.find({ level: 'warn' })).toHaveLength(1);
    expect(logger.find({ level: 'warn' })).toHaveLength(0);
  });

  describe('options', () => {
    it('throws InvalidOptionError without a publisher or a reportingController', () => {
      expect(() =>
        createEventsRecorder({ reportingController: 'c1' } as never),
      ).toThrow(InvalidOptionError);
      expect(() =>
        createEventsRecorder({
          publisher: { publish: () => true },
          reportingController: '',
        }),
      ).toThrow(InvalidOptionError);
    });

    it('warns when the API server would reject every event for the reporting fields', () => {
      const logger = new MemoryLogger();
      createEventsRecorder({
        publisher: { publish: () => true },
        reportingController: 'my controller',
        reportingInstance: 'x'.repeat(129),
        logger,
      });
      expect(logger.find({ level: 'warn' }).map((e) => e.message)).toEqual([
        expect.stringContaining('reportingController'),
        expect.stringContaining('reportingInstance'),
      ]);
    });
  });
});
