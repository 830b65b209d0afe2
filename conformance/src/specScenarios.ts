import type { Scenario, ScenarioStep, StepExpectation } from './scenario.js';
import type { WireEvent, WireRef } from './wire.js';

// Scenarios for every correlator case of the spec's §4.1 (client-go's own
// events_cache_test.go vectors) and §4.6 (derived vectors), plus the
// behaviours §2.7 lists as "worth a conformance test".

const T0 = '2026-07-24T10:00:00.000Z';
const COMBINED = '(combined from similar events): ';

function at(base: string, ms: number): string {
  return new Date(Date.parse(base) + ms).toISOString();
}

/** `<objectName>.<hex UnixNano>` as client-go's aggregator names events. */
export function aggregateName(objectName: string, iso: string): string {
  return `${objectName}.${(BigInt(Date.parse(iso)) * 1_000_000n).toString(16)}`;
}

function obj(kind: string, name: string, namespace: string): WireRef {
  return {
    kind,
    name,
    namespace,
    uid: 'C934D34AFB20242',
    apiVersion: 'version',
    fieldPath: 'spec.containers{mycontainer}',
  };
}

function makeEvent(reason: string, message: string, ref: WireRef): WireEvent {
  return {
    metadata: {},
    involvedObject: { ...ref },
    reason,
    message,
    source: { component: 'kubelet', host: 'kublet.node1' },
    count: 1,
    type: 'Normal',
  };
}

const myPod = obj('Pod', 'my-pod', 'my-ns');
const firstEvent = makeEvent('first', 'i am first', myPod);
const duplicateEvent = makeEvent('duplicate', 'me again', myPod);
const uniqueEvent = makeEvent('unique', 'snowflake', myPod);
const similarEvent = makeEvent('similar', 'similar message', {
  ...myPod,
  fieldPath: 'spec.containers{container1}',
});
const similarButDifferentContainerEvent: WireEvent = {
  ...similarEvent,
  involvedObject: {
    ...similarEvent.involvedObject,
    fieldPath: 'spec.containers{container2}',
  },
};

function repeat(event: WireEvent, n: number): WireEvent[] {
  return Array.from({ length: n }, () => structuredClone(event));
}

function makeSimilarEvents(n: number, tmpl: WireEvent, prefix: string) {
  return Array.from({ length: n }, (_, i) => ({
    ...structuredClone(tmpl),
    message: `${prefix}-${i}-${tmpl.message ?? ''}`,
  }));
}

function makeUniqueEvents(n: number): WireEvent[] {
  return Array.from({ length: n }, (_, i) =>
    makeEvent(`reason-${i}`, `message-${i}`, obj('Pod', `pod-${i}`, `ns-${i}`)),
  );
}

/** client-go TestEventCorrelator: previous events, then the new one, all stamped. */
function correlatorCase(
  name: string,
  intervalS: number,
  previous: WireEvent[],
  next: WireEvent,
  expect: StepExpectation,
): Scenario {
  const steps: ScenarioStep[] = previous.map((event) => ({
    event,
    stamp: true,
  }));
  steps.push({ event: structuredClone(next), stamp: true, expect });
  return {
    name: `spec 4.1 TestEventCorrelator/${name}`,
    options: {},
    clock: { start: T0, intervalMs: intervalS * 1000 },
    steps,
  };
}

function t0Plus(seconds: number): string {
  return at(T0, seconds * 1000);
}

function testEventCorrelator(): Scenario[] {
  return [
    correlatorCase('create-a-single-event', 5, [], firstEvent, {
      skip: false,
      count: 1,
      message: 'i am first',
      firstTimestamp: t0Plus(5),
      lastTimestamp: t0Plus(5),
      patch: null,
    }),
    correlatorCase(
      'the-same-event-should-just-count',
      5,
      repeat(duplicateEvent, 1),
      duplicateEvent,
      {
        skip: false,
        count: 2,
        firstTimestamp: t0Plus(5),
        lastTimestamp: t0Plus(20),
        patchText: `{"count":2,"lastTimestamp":"2026-07-24T10:00:20Z","message":"me again"}`,
      },
    ),
    correlatorCase(
      'the-same-event-should-just-count-even-if-more-than-aggregate',
      30,
      repeat(duplicateEvent, 10),
      duplicateEvent,
      { skip: false, count: 11, message: 'me again' },
    ),
    correlatorCase(
      'the-same-event-is-spam-if-happens-too-frequently',
      1,
      repeat(duplicateEvent, 26),
      duplicateEvent,
      { skip: true },
    ),
    correlatorCase(
      'create-many-unique-events',
      5,
      makeUniqueEvents(30),
      uniqueEvent,
      { skip: false, count: 1, message: 'snowflake' },
    ),
    correlatorCase(
      'similar-events-should-aggregate-event',
      5,
      makeSimilarEvents(9, similarEvent, similarEvent.message!),
      similarEvent,
      {
        skip: false,
        count: 1,
        message: `${COMBINED}similar message`,
        name: aggregateName('my-pod', t0Plus(145)),
        firstTimestamp: t0Plus(145),
        lastTimestamp: t0Plus(145),
        patch: null,
      },
    ),
    correlatorCase(
      'similar-events-many-times-should-count-the-aggregate',
      5,
      makeSimilarEvents(10, similarEvent, similarEvent.message!),
      similarEvent,
      {
        skip: false,
        count: 2,
        message: `${COMBINED}similar message`,
        name: aggregateName('my-pod', t0Plus(145)),
        firstTimestamp: t0Plus(145),
        lastTimestamp: t0Plus(160),
      },
    ),
    correlatorCase(
      'events-from-different-containers-do-not-aggregate',
      5,
      [similarButDifferentContainerEvent],
      similarEvent,
      { skip: false, count: 1, message: 'similar message' },
    ),
    correlatorCase(
      'similar-events-whose-interval-is-greater-than-aggregate-interval-do-not-aggregate',
      600,
      makeSimilarEvents(9, similarEvent, similarEvent.message!),
      similarEvent,
      { skip: false, count: 1, message: 'similar message' },
    ),
  ];
}

function testEventSpamFilter(): Scenario[] {
  const original = makeEvent('original', 'i am first', myPod);
  original.firstTimestamp = T0;
  original.lastTimestamp = T0;
  const cases: [
    string,
    Scenario['options']['spamKeyFunc'],
    WireEvent,
    StepExpectation,
  ][] = [
    [
      'default filter, same object',
      undefined,
      {
        ...structuredClone(original),
        reason: 'duplicate',
        message: 'me again',
      },
      { skip: true },
    ],
    [
      'custom key, different reason',
      'withReason',
      {
        ...structuredClone(original),
        reason: 'duplicate',
        message: 'me again',
      },
      { skip: false, count: 1, message: 'me again', patch: null },
    ],
    [
      'custom key, same reason, different message',
      'withReason',
      { ...structuredClone(original), message: 'me again' },
      { skip: true },
    ],
  ];
  return cases.map(([name, spamKeyFunc, next, expect]) => ({
    name: `spec 4.1 TestEventSpamFilter/${name}`,
    options: { burstSize: 1, ...(spamKeyFunc ? { spamKeyFunc } : {}) },
    clock: { start: T0, intervalMs: 1000 },
    steps: [
      { event: structuredClone(original), expect: { skip: false } },
      { event: next, expect },
    ],
  }));
}

function testAggregatorKeyFunc(): Scenario {
  const pod1 = obj('Pod', 'pod1', 'other');
  return {
    name: 'spec 4.1 TestEventAggregatorByReasonFunc (observed through maxEvents 2)',
    options: { maxEvents: 2 },
    clock: { start: T0, intervalMs: 1000 },
    steps: [
      { event: makeEvent('end-of-world', 'it was fun', pod1), stamp: true },
      {
        event: makeEvent('end-of-world', 'it was awful', pod1),
        stamp: true,
        note: 'same aggregate key, different local key: aggregated',
        expect: { message: `${COMBINED}it was awful`, count: 1 },
      },
      {
        event: makeEvent('nevermind', 'it was a bug', pod1),
        stamp: true,
        note: 'different reason, different aggregate key',
        expect: { message: 'it was a bug', count: 1 },
      },
    ],
  };
}

function pod(name = 'web-1', namespace = 'prod'): WireRef {
  return {
    kind: 'Pod',
    name,
    namespace,
    uid: `uid-${name}`,
    apiVersion: 'v1',
  };
}

function ev(
  reason: string,
  message: string,
  ref: WireRef = pod(),
  extra: Partial<WireEvent> = {},
): WireEvent {
  return {
    metadata: { namespace: ref.namespace ?? 'default' },
    involvedObject: { ...ref },
    reason,
    message,
    source: { component: 'kubelet', host: 'node-a' },
    count: 1,
    type: 'Normal',
    ...extra,
  };
}

function derived(): Scenario[] {
  const out: Scenario[] = [];

  out.push({
    name: 'spec 4.6.1 patch body: sorted keys, seconds precision',
    options: {},
    clock: { start: T0 },
    steps: [
      {
        setTime: '2026-07-24T10:00:00.250Z',
        event: ev('BackOff', 'M', pod(), {
          firstTimestamp: '2026-07-24T10:00:00.250Z',
          lastTimestamp: '2026-07-24T10:00:00.250Z',
        }),
        expect: { count: 1, patch: null },
      },
      {
        setTime: '2026-07-24T10:00:05.900Z',
        event: ev('BackOff', 'M', pod(), {
          firstTimestamp: '2026-07-24T10:00:05.900Z',
          lastTimestamp: '2026-07-24T10:00:05.900Z',
        }),
        expect: {
          count: 2,
          firstTimestamp: '2026-07-24T10:00:00.250Z',
          patchText:
            '{"count":2,"lastTimestamp":"2026-07-24T10:00:05Z","message":"M"}',
        },
      },
    ],
  });

  {
    const steps: ScenarioStep[] = [];
    for (let t = 0; t < 30; t++) {
      const expect: StepExpectation =
        t === 0
          ? { skip: false, count: 1, patch: null }
          : t < 25
            ? { skip: false, count: t + 1 }
            : { skip: true };
      steps.push({
        setTime: t0Plus(t),
        stamp: true,
        event: ev('Unhealthy', 'probe failed'),
        expect,
      });
    }
    steps.push({
      setTime: t0Plus(299),
      stamp: true,
      event: ev('Unhealthy', 'probe failed'),
      expect: { skip: true },
    });
    steps.push({
      setTime: t0Plus(300),
      stamp: true,
      event: ev('Unhealthy', 'probe failed'),
      note: 'the bucket refills to exactly one token at t = 300 s; the count includes every suppressed occurrence',
      expect: { skip: false, count: 32 },
    });
    out.push({
      name: 'spec 4.6.2 spam steady state',
      options: {},
      clock: { start: T0 },
      steps,
    });
  }

  {
    const steps: ScenarioStep[] = repeat(ev('Pulled', 'image pulled'), 25).map(
      (event) => ({ event, stamp: true }),
    );
    steps.push({
      stamp: true,
      event: ev('Pulled', 'image pulled'),
      expect: { skip: true },
    });
    steps.push({
      stamp: true,
      event: ev('Failed', 'image pull failed', pod(), { type: 'Warning' }),
      note: 'Type is part of the default spam key',
      expect: { skip: false, count: 1 },
    });
    out.push({
      name: 'spec 4.6.3 spam key includes Type',
      options: {},
      clock: { start: T0, intervalMs: 10 },
      steps,
    });
  }

  {
    const steps: ScenarioStep[] = [];
    for (let i = 1; i <= 11; i++) {
      const expect: StepExpectation =
        i < 10
          ? { count: 1, message: `m${i}` }
          : i === 10
            ? {
                count: 1,
                message: `${COMBINED}m10`,
                name: aggregateName('web-1', t0Plus(10)),
              }
            : {
                count: 2,
                name: aggregateName('web-1', t0Plus(10)),
                patch: {
                  count: 2,
                  lastTimestamp: '2026-07-24T10:00:11Z',
                  message: `${COMBINED}m11`,
                },
              };
      steps.push({
        advanceMs: 1000,
        stamp: true,
        event: ev('FailedMount', `m${i}`),
        expect,
      });
    }
    // Repeats after aggregation: m5 is still in the remembered set whichever
    // key Go popped at m10 and m11 unless it was the popped one; m1 is the
    // earliest-inserted key, the one the TypeScript port pops.
    steps.push({
      advanceMs: 1000,
      stamp: true,
      event: ev('FailedMount', 'm1'),
      note: 'repeat of a possibly popped message',
    });
    steps.push({
      advanceMs: 1000,
      stamp: true,
      event: ev('FailedMount', 'm5'),
      note: 'repeat of a remembered message',
    });
    steps.push({
      advanceMs: 1000,
      stamp: true,
      event: ev('FailedMount', 'm10'),
      note: 'repeat of the message that triggered aggregation',
    });
    steps.push({
      advanceMs: 1000,
      stamp: true,
      event: ev('FailedMount', 'm12'),
    });
    out.push({
      name: 'spec 4.6.4 aggregation threshold, then repeats',
      options: {},
      clock: { start: T0 },
      steps,
    });
  }

  for (const [gapS, aggregated] of [
    [601, false],
    [600, true],
    [599, true],
  ] as const) {
    const steps: ScenarioStep[] = [];
    for (let i = 1; i <= 10; i++) {
      steps.push({
        advanceMs: gapS * 1000,
        stamp: true,
        event: ev('FailedMount', `m${i}`),
        expect:
          i === 10
            ? aggregated
              ? { message: `${COMBINED}m10` }
              : { message: 'm10', count: 1 }
            : { message: `m${i}` },
      });
    }
    out.push({
      name: `spec 4.6.5 window ${aggregated ? 'kept' : 'reset'} with gaps of ${gapS} s`,
      options: { spamKeyFunc: 'perMessage' },
      clock: { start: T0 },
      steps,
    });
  }

  {
    const first = ev('BackOff', 'restarting', pod(), {
      metadata: { name: 'web-1.18a1', namespace: 'prod' },
    });
    out.push({
      name: 'spec 4.6.6 cached event keeps name and firstTimestamp; server copy feeds updateState',
      options: {},
      clock: { start: T0, intervalMs: 1000 },
      steps: [
        {
          stamp: true,
          event: first,
          sink: { overlay: { metadata: { resourceVersion: '101' } } },
        },
        {
          stamp: true,
          event: structuredClone(first),
          sink: { overlay: { metadata: { resourceVersion: '102' } } },
        },
        {
          stamp: true,
          event: structuredClone(first),
          sink: { overlay: { metadata: { resourceVersion: '103' } } },
        },
        {
          stamp: true,
          event: structuredClone(first),
          expect: {
            count: 4,
            name: 'web-1.18a1',
            firstTimestamp: at(T0, 1000),
          },
          note: 'the resourceVersion of the last server copy is carried',
        },
      ],
    });
  }
  return out;
}

function behaviours(): Scenario[] {
  const out: Scenario[] = [];
  const base = { clock: { start: T0, intervalMs: 1000 } };

  out.push({
    ...base,
    name: 'behaviour: logger eviction makes a repeat a new event (LRU 2)',
    options: { lruCacheSize: 2 },
    steps: [
      { stamp: true, event: ev('Started', 'a', pod('a')) },
      {
        stamp: true,
        event: ev('Started', 'a', pod('a')),
        expect: { count: 2 },
      },
      { stamp: true, event: ev('Started', 'b', pod('b')) },
      { stamp: true, event: ev('Started', 'c', pod('c')) },
      {
        stamp: true,
        event: ev('Started', 'a', pod('a')),
        expect: { count: 1, patch: null },
      },
    ],
  });

  out.push({
    ...base,
    name: 'behaviour: spam filter eviction gives a fresh bucket (LRU 1, burst 2)',
    options: { lruCacheSize: 1, burstSize: 2 },
    steps: [
      { stamp: true, event: ev('Started', 'x', pod('a')) },
      { stamp: true, event: ev('Started', 'x', pod('a')) },
      {
        stamp: true,
        event: ev('Started', 'x', pod('a')),
        expect: { skip: true },
      },
      { stamp: true, event: ev('Started', 'y', pod('b')) },
      {
        stamp: true,
        event: ev('Started', 'x', pod('a')),
        expect: { skip: false },
      },
    ],
  });

  out.push({
    ...base,
    name: 'behaviour: aggregator eviction resets the window (LRU 3, maxEvents 3)',
    options: { lruCacheSize: 3, maxEvents: 3, spamKeyFunc: 'perMessage' },
    steps: [
      { stamp: true, event: ev('R', 'm1', pod('a')) },
      { stamp: true, event: ev('R', 'm2', pod('a')) },
      { stamp: true, event: ev('R', 'x', pod('b')) },
      { stamp: true, event: ev('R', 'x', pod('c')) },
      { stamp: true, event: ev('R', 'x', pod('d')) },
      {
        stamp: true,
        event: ev('R', 'm3', pod('a')),
        expect: { message: 'm3' },
      },
    ],
  });

  out.push({
    ...base,
    name: 'behaviour: an input with count 0 is stored with count 0 and never becomes a patch',
    options: {},
    steps: [
      { stamp: true, event: ev('Started', 'zero', pod(), { count: 0 }) },
      {
        stamp: true,
        event: ev('Started', 'zero', pod(), { count: 0 }),
        expect: { patch: null },
      },
      {
        stamp: true,
        event: ev('Started', 'zero', pod(), { count: 1 }),
        expect: { patch: null, count: 1 },
      },
      {
        stamp: true,
        event: ev('Started', 'zero', pod(), { count: 1 }),
        expect: { count: 2 },
      },
    ],
  });

  out.push({
    ...base,
    name: 'behaviour: updateState with the server copy (count from the server) and a failed write',
    options: {},
    steps: [
      {
        stamp: true,
        event: ev('Started', 's'),
        sink: { overlay: { count: 10, metadata: { resourceVersion: '9' } } },
      },
      {
        stamp: true,
        event: ev('Started', 's'),
        expect: { count: 11 },
        sink: 'none',
      },
      { stamp: true, event: ev('Started', 's'), expect: { count: 12 } },
    ],
  });

  out.push({
    ...base,
    name: 'behaviour: keys have no separator, so component "ab"+host "c" equals "a"+"bc"',
    options: {},
    steps: [
      {
        stamp: true,
        event: ev('Started', 'k', pod(), {
          source: { component: 'ab', host: 'c' },
        }),
      },
      {
        stamp: true,
        event: ev('Started', 'k', pod(), {
          source: { component: 'a', host: 'bc' },
        }),
        expect: { count: 2 },
      },
    ],
  });

  out.push({
    ...base,
    name: 'behaviour: empty message leaves message out of the patch; HTML and line separators are escaped by Go',
    options: {},
    steps: [
      { stamp: true, event: ev('Empty', '') },
      {
        stamp: true,
        event: ev('Empty', ''),
        expect: { patch: { count: 2, lastTimestamp: '2026-07-24T10:00:04Z' } },
      },
      { stamp: true, event: ev('Html', '<b>&amp;</b> \u2028 ü 🚀') },
      {
        stamp: true,
        event: ev('Html', '<b>&amp;</b> \u2028 ü 🚀'),
        expect: { count: 2 },
      },
    ],
  });

  out.push({
    ...base,
    name: 'behaviour: the aggregate drops annotations, reporting fields, action, related, eventTime and series',
    options: { maxEvents: 2 },
    steps: [
      {
        stamp: true,
        event: ev('Sync', 'one', pod(), {
          metadata: { namespace: 'prod', annotations: { team: 'a' } },
          action: 'Syncing',
          reportingComponent: 'ctrl',
          reportingInstance: 'ctrl-1',
          eventTime: '2026-07-24T10:00:00.123Z',
          related: { kind: 'Node', name: 'n1' },
          series: { count: 2, lastObservedTime: '2026-07-24T10:00:00.500Z' },
        }),
        expect: { count: 1, message: 'one' },
      },
      {
        stamp: true,
        event: ev('Sync', 'two', pod(), {
          metadata: { namespace: 'prod', annotations: { team: 'a' } },
          action: 'Syncing',
          reportingComponent: 'ctrl',
          reportingInstance: 'ctrl-1',
          eventTime: '2026-07-24T10:00:00.123Z',
          related: { kind: 'Node', name: 'n1' },
        }),
        expect: { count: 1, message: `${COMBINED}two`, namespace: 'prod' },
      },
    ],
  });

  out.push({
    ...base,
    name: 'behaviour: a clock that steps backwards neither resets the window nor refills the bucket',
    options: { burstSize: 2, qps: 1 },
    steps: [
      { setTime: '2026-07-24T10:10:00.000Z', stamp: true, event: ev('R', 'a') },
      { setTime: '2026-07-24T10:10:00.000Z', stamp: true, event: ev('R', 'a') },
      { setTime: '2026-07-24T10:00:00.000Z', stamp: true, event: ev('R', 'a') },
      { setTime: '2026-07-24T10:00:00.500Z', stamp: true, event: ev('R', 'a') },
      { setTime: '2026-07-24T10:00:02.000Z', stamp: true, event: ev('R', 'a') },
      { setTime: '2026-07-24T10:10:01.000Z', stamp: true, event: ev('R', 'a') },
    ],
  });

  out.push({
    ...base,
    name: 'behaviour: custom key, message and spam functions',
    options: {
      keyFunc: 'objectOnly',
      messageFunc: 'bracketed',
      spamKeyFunc: 'withReason',
      maxEvents: 3,
      burstSize: 3,
    },
    steps: [
      { stamp: true, event: ev('A', 'one') },
      { stamp: true, event: ev('B', 'one') },
      {
        stamp: true,
        event: ev('C', 'one'),
        expect: { message: '[aggregated] one', count: 1 },
      },
      {
        stamp: true,
        event: ev('C', 'two'),
        expect: { message: '[aggregated] two', count: 2 },
      },
      { stamp: true, event: ev('C', 'three') },
      { stamp: true, event: ev('C', 'four') },
      { stamp: true, event: ev('A', 'one') },
    ],
  });

  {
    // Before 1970 UnixNano is negative: Go's %x prints "-" and the magnitude.
    const steps: ScenarioStep[] = [];
    for (let i = 1; i <= 10; i++)
      steps.push({ stamp: true, event: ev('Old', `m${i}`) });
    steps[9]!.expect = {
      message: `${COMBINED}m10`,
      // 23:00:29 is 3,571 s before the epoch.
      name: `web-1.-${(3_571n * 1_000_000_000n).toString(16)}`,
    };
    out.push({
      name: 'behaviour: an aggregate named before 1970',
      options: { spamKeyFunc: 'perMessage' },
      clock: { start: '1969-12-31T23:00:00.000Z', intervalMs: 1000 },
      steps,
    });
  }

  out.push({
    ...base,
    name: 'behaviour: events without a source, namespace or type',
    options: {},
    steps: [
      {
        stamp: true,
        event: { metadata: {}, involvedObject: { name: 'bare' }, count: 1 },
      },
      {
        stamp: true,
        event: { metadata: {}, involvedObject: { name: 'bare' }, count: 1 },
        expect: { count: 2 },
      },
    ],
  });
  return out;
}

/** Every hand-written scenario. */
export function specScenarios(): Scenario[] {
  return [
    ...testEventCorrelator(),
    ...testEventSpamFilter(),
    testAggregatorKeyFunc(),
    ...derived(),
    ...behaviours(),
  ];
}
