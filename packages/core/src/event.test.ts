import { describe, expect, it } from 'vitest';
import type { Event, EventsV1Event } from './event.js';
import {
  copyRecord,
  coreV1ToEventsV1,
  eventsV1ToCoreV1,
  isEventsV1Event,
  isValidEventType,
} from './event.js';

describe('event types', () => {
  it('accepts only Normal and Warning, case-sensitively', () => {
    expect(isValidEventType('Normal')).toBe(true);
    expect(isValidEventType('Warning')).toBe(true);
    expect(isValidEventType('normal')).toBe(false);
    expect(isValidEventType('Error')).toBe(false);
    expect(isValidEventType(undefined)).toBe(false);
  });
});

describe('API views', () => {
  const v1: EventsV1Event = {
    metadata: { name: 'p.1', namespace: 'ns' },
    eventTime: new Date('2026-01-01T00:00:00.123Z'),
    series: { count: 3, lastObservedTime: new Date('2026-01-01T00:01:00Z') },
    reportingController: 'ctrl',
    reportingInstance: 'ctrl-h',
    action: 'Sync',
    reason: 'Synced',
    regarding: { kind: 'Pod', apiVersion: 'v1', name: 'p', namespace: 'ns' },
    related: { kind: 'Node', apiVersion: 'v1', name: 'n' },
    note: 'synced',
    type: 'Normal',
  };

  it('maps events.k8s.io/v1 to core/v1 and back without loss', () => {
    const core = eventsV1ToCoreV1(v1);
    expect(core.involvedObject).toEqual(v1.regarding);
    expect(core.message).toBe('synced');
    expect(core.reportingComponent).toBe('ctrl');
    expect(isEventsV1Event(core)).toBe(false);
    const back = coreV1ToEventsV1(core);
    expect({ ...back, apiVersion: undefined, kind: undefined }).toEqual({
      ...v1,
      apiVersion: undefined,
      kind: undefined,
    });
    expect(isEventsV1Event(back)).toBe(true);
  });

  it('converts untyped events whose nested records are null as spreading would, without throwing', () => {
    const core = {
      metadata: { name: 'a.1', namespace: 'shop' },
      involvedObject: { kind: 'Pod', name: 'a' },
      source: null,
      related: null,
      series: null,
    } as unknown as Event;
    const v1 = coreV1ToEventsV1(core);
    expect(v1.deprecatedSource).toEqual({});
    expect(v1.related).toEqual({});
    expect(v1.series).toEqual({});
    const back = eventsV1ToCoreV1({
      ...v1,
      regarding: null,
      deprecatedSource: null,
    } as unknown as EventsV1Event);
    expect(back.involvedObject).toEqual({});
    expect(back.source).toEqual({});
  });

  it('copies a record shallowly, keeps an own __proto__ field as a field, and copies null as {}', () => {
    const input = { name: 'a', labels: { x: '1' } };
    const copy = copyRecord(input);
    (copy as Record<string, unknown>).resourceVersion = '7';
    expect(copy).toEqual({
      name: 'a',
      labels: { x: '1' },
      resourceVersion: '7',
    });
    expect(input).toEqual({ name: 'a', labels: { x: '1' } });
    expect(copy.labels).toBe(input.labels);
    const hostile = JSON.parse('{"__proto__":{"polluted":true}}') as object;
    const safe = copyRecord(hostile);
    expect(Object.getPrototypeOf(safe)).toBe(Object.prototype);
    expect(Object.hasOwn(safe, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(copyRecord(null as unknown as object)).toEqual({});
  });
});
