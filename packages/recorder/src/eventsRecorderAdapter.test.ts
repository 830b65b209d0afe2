import { FakeClock, MemoryLogger, type Event } from '@event-recorder/core';
import { describe, expect, it } from 'vitest';
import { createEventRecorder } from './eventRecorder.js';
import { createEventsRecorderAdapter } from './eventsRecorderAdapter.js';

describe('createEventsRecorderAdapter', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns' },
  };
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };

  function setup() {
    const events: Event[] = [];
    const recorder = createEventRecorder({
      publisher: { publish: (e) => events.push(e) > 0 },
      source: { component: 'legacy' },
      clock: new FakeClock(),
    });
    return { events, adapter: createEventsRecorderAdapter(recorder) };
  }

  it('records a core/v1 event from an events.k8s.io-style call, dropping related and action', () => {
    const { events, adapter } = setup();
    adapter.eventf(pod, node, 'Normal', 'R', 'action', 'n %s', 'x');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'ns' },
      reason: 'R',
      message: 'n x',
      type: 'Normal',
      count: 1,
    });
    expect(events[0]).not.toHaveProperty('related');
    expect(events[0]).not.toHaveProperty('action');
  });

  it('re-wraps the recorder given by withLogger', () => {
    const { events, adapter } = setup();
    adapter
      .withLogger(new MemoryLogger())
      .eventf(pod, node, 'Normal', 'R', 'a', 'n');
    expect(events).toHaveLength(1);
    const plain = createEventsRecorderAdapter({
      event() {},
      eventf() {},
      annotatedEventf() {},
    });
    expect(plain.withLogger(new MemoryLogger())).toBe(plain);
  });

  it('forwards annotations from annotatedEventf', () => {
    const { events, adapter } = setup();
    adapter.annotatedEventf(
      pod,
      undefined,
      { a: 'b' },
      'Warning',
      'R',
      'act',
      'note',
    );
    expect(events[0]?.metadata.annotations).toEqual({ a: 'b' });
    expect(events[0]?.message).toBe('note');
  });
});
