import {
  FakeClock,
  isDNS1123Subdomain,
  validateEventCreate,
  eventsV1ToCoreV1,
  type Event,
  type EventsV1Event,
  type EventType,
  type ReferenceableObject,
} from '@event-recorder/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventRecorder } from './eventRecorder.js';
import { createEventsRecorder } from './eventsRecorder.js';

// Objects as callers pass them: valid ones, references, and garbage.
const name = fc.oneof(
  fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/),
  fc.string({ maxLength: 30 }),
);
const namespace = fc.option(
  fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/),
  { nil: undefined },
);
const object: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      apiVersion: fc.constantFrom('v1', 'apps/v1', ''),
      kind: fc.constantFrom('Pod', 'Deployment', 'Node', ''),
      metadata: fc.record(
        { name, namespace, uid: fc.option(fc.uuid(), { nil: undefined }) },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record({
    kind: fc.constant('Pod'),
    apiVersion: fc.constant('v1'),
    name,
    namespace,
    fieldPath: fc.constant('spec.containers{web}'),
  }),
  fc.anything(),
);
const type = fc.oneof(
  fc.constantFrom('Normal', 'Warning'),
  fc.string({ maxLength: 8 }),
  fc.anything(),
);
const args = fc.array(fc.anything(), { maxLength: 3 });
const format = fc.oneof(
  fc.constant('%s did %d things: %q %v %%'),
  fc.string({ maxLength: 20 }),
);

describe('recorder properties', () => {
  it('core/v1: every call either publishes one valid event or reports one drop, and never throws', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(object, type, fc.string({ maxLength: 10 }), format, args),
          { maxLength: 30 },
        ),
        (calls) => {
          const published: Event[] = [];
          const invalid: string[] = [];
          const recorder = createEventRecorder({
            publisher: {
              publish: (e) => published.push(e) > 0,
              reportInvalid: (r) => invalid.push(r),
            },
            source: { component: 'prop' },
            clock: new FakeClock(),
          });
          for (const [o, t, reason, f, a] of calls) {
            expect(() =>
              recorder.eventf(
                o as ReferenceableObject,
                t as EventType,
                reason,
                f,
                ...a,
              ),
            ).not.toThrow();
          }
          expect(published.length + invalid.length).toBe(calls.length);
          const names = new Set<string>();
          for (const e of published) {
            expect(isDNS1123Subdomain(e.metadata.name!)).toBe(true);
            names.add(`${e.metadata.namespace}/${e.metadata.name}`);
            expect(['Normal', 'Warning']).toContain(e.type);
            expect(e.metadata.namespace).toBe(
              e.involvedObject.namespace || 'default',
            );
            // A reference with a valid namespace gives an event the server's legacy rules accept.
            if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(e.metadata.namespace!)) {
              expect(validateEventCreate(e, 'v1')).toEqual([]);
            }
          }
          expect(names.size).toBe(published.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('events.k8s.io/v1: every call either publishes one event or reports one drop, and never throws', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            object,
            fc.option(object, { nil: undefined }),
            type,
            format,
            args,
          ),
          { maxLength: 30 },
        ),
        (calls) => {
          const published: EventsV1Event[] = [];
          const invalid: string[] = [];
          const recorder = createEventsRecorder({
            publisher: {
              publish: (e) => published.push(e) > 0,
              reportInvalid: (r) => invalid.push(r),
            },
            reportingController: 'example.com/prop',
            reportingInstance: 'prop-1',
            clock: new FakeClock(),
          });
          for (const [regarding, related, t, f, a] of calls) {
            expect(() =>
              recorder.eventf(
                regarding as ReferenceableObject,
                related as ReferenceableObject | undefined,
                t as EventType,
                'Reason',
                'Act',
                f,
                ...a,
              ),
            ).not.toThrow();
          }
          expect(published.length + invalid.length).toBe(calls.length);
          for (const e of published) {
            expect(isDNS1123Subdomain(e.metadata.name!)).toBe(true);
            const ns = e.metadata.namespace!;
            if (
              /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) &&
              e.regarding?.namespace === undefined
            ) {
              expect(ns).toBe('default');
            }
            if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns)) {
              expect(
                validateEventCreate(eventsV1ToCoreV1(e), 'events.k8s.io/v1'),
              ).toEqual([]);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
