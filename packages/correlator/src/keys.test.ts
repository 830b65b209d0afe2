import type { Event, ObjectReference } from '@event-recorder/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregateKeyLevel,
  defaultKeys,
  EventKeyMemo,
  eventKeyLevel,
  spamKeyLevel,
  eventAggregatorByReasonFunc,
  eventAggregatorByReasonMessageFunc,
  getEventKey,
  getSpamKey,
  newDefaultKeys,
} from './keys.js';
import { hashKey } from './lruCache.js';
import type { CacheKey } from './lruCache.js';

/** The text of a key from the memo: itself, or its parts read as an event key. */
function eventKeyText(key: CacheKey): string {
  return typeof key === 'string' ? key : eventKeyLevel.text(key);
}

function objectReference(
  kind: string,
  name: string,
  namespace: string,
): ObjectReference {
  return {
    kind,
    name,
    namespace,
    uid: 'C934D34AFB20242',
    apiVersion: 'version',
    fieldPath: 'spec.containers{mycontainer}',
  };
}

function makeEvent(
  reason: string,
  message: string,
  involvedObject: ObjectReference,
): Event {
  return {
    metadata: {},
    reason,
    message,
    involvedObject,
    source: { component: 'kubelet', host: 'kublet.node1' },
    count: 1,
    type: 'Normal',
  };
}

const pod1 = objectReference('Pod', 'pod1', 'other');

describe('eventAggregatorByReasonFunc', () => {
  it('groups events that differ only by message, and tells them apart by message', () => {
    const k1 = eventAggregatorByReasonFunc(
      makeEvent('end-of-world', 'it was fun', pod1),
    );
    const k2 = eventAggregatorByReasonFunc(
      makeEvent('end-of-world', 'it was awful', pod1),
    );
    const k3 = eventAggregatorByReasonFunc(
      makeEvent('nevermind', 'it was a bug', pod1),
    );
    expect(k1.aggregateKey).toBe(k2.aggregateKey);
    expect(k1.localKey).not.toBe(k2.localKey);
    expect(k1.aggregateKey).not.toBe(k3.aggregateKey);
  });

  it('concatenates source, object (no fieldPath), type, reason and reporting fields with no separator', () => {
    const event: Event = {
      ...makeEvent('R', 'M', pod1),
      reportingComponent: 'rc',
      reportingInstance: 'ri',
    };
    expect(eventAggregatorByReasonFunc(event)).toEqual({
      aggregateKey:
        'kubeletkublet.node1Podotherpod1C934D34AFB20242versionNormalRrcri',
      localKey: 'M',
    });
  });
});

describe('eventAggregatorByReasonMessageFunc', () => {
  it('prefixes the message with "(combined from similar events): "', () => {
    expect(
      eventAggregatorByReasonMessageFunc(
        makeEvent('end-of-world', 'it was fun', pod1),
      ),
    ).toBe('(combined from similar events): it was fun');
  });
});

describe('getEventKey', () => {
  it('concatenates source, object with fieldPath, type, reason and message in client-go order', () => {
    expect(getEventKey(makeEvent('R', 'M', pod1))).toBe(
      'kubeletkublet.node1Podotherpod1spec.containers{mycontainer}C934D34AFB20242versionNormalRM',
    );
  });

  it('ignores resourceVersion and treats absent fields as empty', () => {
    const withRv = makeEvent('R', 'M', { ...pod1, resourceVersion: '7' });
    expect(getEventKey(withRv)).toBe(getEventKey(makeEvent('R', 'M', pod1)));
    expect(getEventKey({ metadata: {}, involvedObject: {} })).toBe('');
    expect(getEventKey({ metadata: {} } as unknown as Event)).toBe('');
  });
});

describe('getSpamKey', () => {
  it('includes the type but not the reason, message or fieldPath', () => {
    const a = makeEvent('One', 'x', pod1);
    const b = makeEvent('Two', 'y', { ...pod1, fieldPath: 'other' });
    const warning = { ...a, type: 'Warning' };
    expect(getSpamKey(a)).toBe(getSpamKey(b));
    expect(getSpamKey(a)).not.toBe(getSpamKey(warning));
    expect(getSpamKey(a)).toBe(
      'kubeletkublet.node1Podotherpod1C934D34AFB20242versionNormal',
    );
  });
});

const field = fc.oneof(
  fc.string(),
  fc.constantFrom('', 'a', 'ab'),
  fc.integer(),
  fc.boolean(),
  fc.anything(),
);
const anyEvent = fc.record(
  {
    involvedObject: fc.oneof(
      fc.record(
        {
          kind: field,
          namespace: field,
          name: field,
          fieldPath: field,
          uid: field,
          apiVersion: field,
        },
        { requiredKeys: [] },
      ),
      fc.anything(),
    ),
    source: fc.oneof(
      fc.record({ component: field, host: field }, { requiredKeys: [] }),
      fc.anything(),
    ),
    type: field,
    reason: field,
    message: field,
    reportingComponent: field,
    reportingInstance: field,
  },
  { requiredKeys: [] },
);

describe('defaultKeys', () => {
  it('gives what getEventKey, eventAggregatorByReasonFunc and getSpamKey give, whatever the fields hold', () => {
    fc.assert(
      fc.property(anyEvent, (e) => {
        const out = newDefaultKeys();
        defaultKeys(e as unknown as Event, out);
        const { aggregateKey, localKey } = eventAggregatorByReasonFunc(
          e as unknown as Event,
        );
        const eventKey = getEventKey(e as unknown as Event);
        const spamKey = getSpamKey(e as unknown as Event);
        // Each level reads the parts as the key function's string, and the
        // hashes made from the parts are the caches' hashes of those strings.
        expect(eventKeyLevel.text(out.parts)).toBe(eventKey);
        expect(aggregateKeyLevel.text(out.parts)).toBe(aggregateKey);
        expect(spamKeyLevel.text(out.parts)).toBe(spamKey);
        expect(out.localKey).toBe(localKey);
        expect(out.eventHash).toBe(hashKey(eventKey));
        expect(out.aggregateHash).toBe(hashKey(aggregateKey));
        expect(out.spamHash).toBe(hashKey(spamKey));
      }),
    );
  });

  it('gives parts that each level finds the same exactly when the key functions give the events equal strings, or else a split of equal strings', () => {
    const small = fc.constantFrom('', 'a', 'ab', 'b');
    const smallEvent = fc.record(
      {
        involvedObject: fc.record(
          { kind: small, name: small, fieldPath: small, uid: small },
          { requiredKeys: [] },
        ),
        source: fc.record(
          { component: small, host: small },
          { requiredKeys: [] },
        ),
        reason: small,
        message: small,
        reportingComponent: small,
      },
      { requiredKeys: [] },
    );
    const keysOf = (e: unknown) => {
      const out = newDefaultKeys();
      defaultKeys(e as Event, out);
      return out.parts;
    };
    fc.assert(
      fc.property(smallEvent, smallEvent, (a, b) => {
        const pa = keysOf(a);
        const pb = keysOf(b);
        const levels = [
          [eventKeyLevel, getEventKey],
          [
            aggregateKeyLevel,
            (e: Event) => eventAggregatorByReasonFunc(e).aggregateKey,
          ],
          [spamKeyLevel, getSpamKey],
        ] as const;
        for (const [level, keyFunc] of levels) {
          const equal = keyFunc(a as Event) === keyFunc(b as Event);
          // Equal parts make equal strings; equal strings need not have equal parts.
          if (level.sameParts(pa, pb)) expect(equal).toBe(true);
          expect(level.text(pa) === level.text(pb)).toBe(equal);
        }
      }),
    );
  });
});

describe('EventKeyMemo', () => {
  it('gives what getEventKey gives for any sequence of events, repeated or told by defaultKeys', () => {
    const small = fc.constantFrom('', 'a', 'ab', 'b');
    const smallEvent = fc.record(
      {
        involvedObject: fc.record(
          { kind: small, name: small, fieldPath: small, uid: small },
          { requiredKeys: [] },
        ),
        source: fc.record({ component: small }, { requiredKeys: [] }),
        reason: small,
        message: small,
      },
      { requiredKeys: [] },
    );
    const step = fc.record({
      event: fc.oneof(smallEvent, anyEvent),
      viaDefaultKeys: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 20 }), (steps) => {
        const memo = new EventKeyMemo();
        const out = newDefaultKeys(memo);
        for (const { event, viaDefaultKeys } of steps) {
          const e = event as unknown as Event;
          if (viaDefaultKeys) defaultKeys(e, out);
          const key = memo.keyOf(e);
          expect(eventKeyText(key)).toBe(getEventKey(e));
          expect(memo.hash).toBe(hashKey(eventKeyText(key)));
          // The parts defaultKeys was last told of come back as they are.
          if (typeof key !== 'string') expect(key).toBe(out.parts);
        }
      }),
    );
  });
});
