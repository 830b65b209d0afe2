import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Event } from './event.js';
import {
  generateEventName,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  truncateUtf8,
  utf8ByteLength,
  validateEventCreate,
  validateEventUpdate,
} from './validation.js';

describe('DNS names', () => {
  it('accepts and rejects labels and subdomains as Kubernetes does', () => {
    expect(isDNS1123Label('my-ns')).toBe(true);
    expect(isDNS1123Label('My-ns')).toBe(false);
    expect(isDNS1123Label('-a')).toBe(false);
    expect(isDNS1123Label('a'.repeat(64))).toBe(false);
    expect(isDNS1123Subdomain('pod1.17362d8e1c698000')).toBe(true);
    expect(isDNS1123Subdomain('a..b')).toBe(false);
    expect(isDNS1123Subdomain('x'.repeat(254))).toBe(false);
    expect(isDNS1123Subdomain('')).toBe(false);
  });

  it('answers labels as the reference expression does for any sequence, repeats included (it keeps the last answer)', () => {
    const reference = (value: string): boolean =>
      value.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value);
    const value = fc.oneof(
      fc.constantFrom('a', 'my-ns', '-a', 'A', '', 'b1'),
      fc.string({ maxLength: 70 }),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 12 }), (values) => {
        for (const v of values) expect(isDNS1123Label(v)).toBe(reference(v));
      }),
    );
  });

  it('keeps only strings as its last answer: other values from untyped callers are checked afresh', () => {
    const label = isDNS1123Label as (value: unknown) => boolean;
    const qualified = isQualifiedName as (value: unknown) => boolean;
    expect(() => label(undefined)).toThrow(TypeError);
    expect(label('a')).toBe(true);
    expect(() => label(undefined)).toThrow(TypeError);
    const parts = ['abc'];
    expect(label(parts)).toBe(true);
    parts[0] = 'ABC';
    expect(label(parts)).toBe(false);
    expect(() => qualified(undefined)).toThrow(TypeError);
    expect(qualified('example.com/a')).toBe(true);
    expect(() => qualified(undefined)).toThrow(TypeError);
  });

  it('decides subdomains exactly as the reference regular expression does', () => {
    const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    const reference = (value: string): boolean =>
      value.length > 0 &&
      value.length <= 253 &&
      value.split('.').every((part) => label.test(part));
    const char = fc.constantFrom(
      'a',
      'z',
      '0',
      '9',
      '-',
      '.',
      'A',
      '_',
      '/',
      '\n',
      'é',
      '`',
      '{',
      ':',
      '@',
    );
    const name = fc.oneof(
      fc.array(char, { maxLength: 40 }).map((cs) => cs.join('')),
      fc.string(),
      // Near the length limit.
      fc
        .tuple(
          fc.integer({ min: 250, max: 256 }),
          fc.constantFrom('a', 'a.b', '-'),
        )
        .map(([n, unit]) =>
          unit.repeat(Math.ceil(n / unit.length)).slice(0, n),
        ),
    );
    fc.assert(
      fc.property(name, (value) => {
        expect(isDNS1123Subdomain(value)).toBe(reference(value));
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts qualified names with and without a prefix', () => {
    expect(isQualifiedName('my-controller')).toBe(true);
    expect(isQualifiedName('example.com/my_controller.v2')).toBe(true);
    expect(isQualifiedName('has space')).toBe(false);
    expect(isQualifiedName('a/b/c')).toBe(false);
    expect(isQualifiedName('Bad_Prefix/x')).toBe(false);
    expect(isQualifiedName('x'.repeat(64))).toBe(false);
  });

  it('decides qualified names exactly as the split-based definition, asked twice in a row or not', () => {
    const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    const part = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
    const reference = (value: string): boolean => {
      const parts = value.split('/');
      if (parts.length > 2) return false;
      const name = parts[parts.length - 1]!;
      if (parts.length === 2) {
        const prefix = parts[0]!;
        if (
          prefix.length === 0 ||
          prefix.length > 253 ||
          !prefix.split('.').every((l) => subdomain.test(l))
        )
          return false;
      }
      return name.length > 0 && name.length <= 63 && part.test(name);
    };
    const char = fc.constantFrom('a', 'Z', '0', '-', '_', '.', '/', ' ', 'é');
    const value = fc.oneof(
      fc.array(char, { maxLength: 20 }).map((cs) => cs.join('')),
      fc.constantFrom('x'.repeat(63), 'x'.repeat(64), 'a.b/' + 'x'.repeat(63)),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 6 }), (values) => {
        for (const v of [...values, ...values.slice().reverse()]) {
          expect(isQualifiedName(v)).toBe(reference(v));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('generateEventName', () => {
  it('matches client-go for a valid name (util_test vector)', () => {
    expect(generateEventName('test-pod', 105999103295324396n)).toBe(
      'test-pod.178959f726d80ec',
    );
  });

  it.each([
    ['x'.repeat(300)],
    ['test.POD'],
    ['test.pod/invalid!chars?'],
    ['--test.pod/invalid!chars?'],
  ])('falls back to a valid random name for %j', (refName) => {
    const name = generateEventName(refName, 105999103295324396n);
    expect(isDNS1123Subdomain(name)).toBe(true);
    expect(name).not.toContain(refName.slice(0, 8));
  });
});

describe('UTF-8 helpers', () => {
  it('counts bytes as Go len does', () => {
    expect(utf8ByteLength('abc')).toBe(3);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('€')).toBe(3);
    expect(utf8ByteLength('😀')).toBe(4);
  });

  it('agrees with TextEncoder on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(utf8ByteLength(s)).toBe(new TextEncoder().encode(s).length);
      }),
    );
  });

  it('never exceeds the limit and never splits a character', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.integer({ min: 1, max: 400 }),
        (s, max) => {
          const { value, truncated } = truncateUtf8(s, max);
          expect(utf8ByteLength(value)).toBeLessThanOrEqual(max);
          expect(truncated).toBe(utf8ByteLength(s) > max);
          if (!truncated) {
            expect(value).toBe(s);
            return;
          }
          // The kept part is a prefix of the input, whole characters only,
          // and as long as the budget left by the suffix allows.
          const suffix = utf8ByteLength('…') <= max ? '…' : '';
          expect(value.endsWith(suffix)).toBe(true);
          const kept = value.slice(0, value.length - suffix.length);
          expect(s.startsWith(kept)).toBe(true);
          const roundTrip = new TextDecoder().decode(
            new TextEncoder().encode(kept),
          );
          expect(roundTrip).toBe(kept);
          const next = String.fromCodePoint(s.codePointAt(kept.length)!);
          expect(utf8ByteLength(kept + next + suffix)).toBeGreaterThan(max);
        },
      ),
    );
  });

  it('drops a replacement character that does not fit, as any other', () => {
    // fast-check found this: U+FFFD is three bytes, like any BMP character
    // above U+07FF, and the old property took its absence for a split.
    expect(truncateUtf8('\uFFFD', 1)).toEqual({ value: '', truncated: true });
    expect(truncateUtf8('a\uFFFDb', 4)).toEqual({
      value: 'a…',
      truncated: true,
    });
    expect(truncateUtf8('\uFFFD\uFFFDb', 6)).toEqual({
      value: '\uFFFD…',
      truncated: true,
    });
  });
});

function coreEvent(over: Partial<Event> = {}): Event {
  return {
    metadata: { name: 'web-1.17362d8e1c698000', namespace: 'prod' },
    involvedObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      name: 'web-1',
      namespace: 'prod',
    },
    reason: 'Started',
    message: 'started',
    type: 'Normal',
    ...over,
  };
}

function newStyle(over: Partial<Event> = {}): Event {
  return coreEvent({
    eventTime: new Date('2026-01-01T00:00:00Z'),
    reportingComponent: 'example.com/ctrl',
    reportingInstance: 'ctrl-host',
    action: 'Start',
    ...over,
  });
}

describe('validateEventCreate', () => {
  it('accepts a well-formed old-style event through core/v1', () => {
    expect(validateEventCreate(coreEvent(), 'v1')).toEqual([]);
  });

  it('requires the namespaces to match for old-style events', () => {
    const issues = validateEventCreate(
      coreEvent({ metadata: { name: 'x', namespace: 'other' } }),
      'v1',
    );
    expect(issues.map((i) => i.field)).toEqual(['involvedObject.namespace']);
  });

  it('allows a cluster-scoped object only in default for old-style events', () => {
    const node = { kind: 'Node', apiVersion: 'v1', name: 'n1' };
    expect(
      validateEventCreate(
        coreEvent({
          metadata: { name: 'n1.1', namespace: 'default' },
          involvedObject: node,
        }),
        'v1',
      ),
    ).toEqual([]);
    expect(
      validateEventCreate(
        coreEvent({
          metadata: { name: 'n1.1', namespace: 'prod' },
          involvedObject: node,
        }),
        'v1',
      ),
    ).toHaveLength(1);
  });

  it('applies the new-style limits once eventTime is set', () => {
    const issues = validateEventCreate(
      newStyle({
        message: 'x'.repeat(1025),
        action: '',
        reportingComponent: 'not a name',
      }),
      'v1',
    );
    expect(issues.map((i) => i.field).sort()).toEqual([
      'action',
      'note',
      'reportingController',
    ]);
  });

  it('adds the strict rules on events.k8s.io/v1', () => {
    const issues = validateEventCreate(
      newStyle({
        metadata: { name: 'Upper.Case', namespace: 'prod' },
        count: 1,
        type: 'Error',
        series: { count: 1, lastObservedTime: new Date(0) },
      }),
      'events.k8s.io/v1',
    );
    expect(issues.map((i) => i.field).sort()).toEqual([
      'deprecatedCount',
      'metadata.name',
      'series.count',
      'type',
    ]);
    expect(validateEventCreate(newStyle(), 'events.k8s.io/v1')).toEqual([]);
  });
});

describe('validateEventUpdate', () => {
  it('lets core/v1 change count, message and lastTimestamp', () => {
    const prev = coreEvent({ count: 1 });
    const next = coreEvent({
      count: 2,
      message: 'again',
      lastTimestamp: new Date(),
    });
    expect(validateEventUpdate(next, prev, 'v1')).toEqual([]);
  });

  it('lets events.k8s.io/v1 change only the series', () => {
    const prev = newStyle();
    const ok = newStyle({ series: { count: 2, lastObservedTime: new Date() } });
    expect(validateEventUpdate(ok, prev, 'events.k8s.io/v1')).toEqual([]);
    const bad = newStyle({ message: 'changed' });
    expect(
      validateEventUpdate(bad, prev, 'events.k8s.io/v1').map((i) => i.field),
    ).toEqual(['note']);
  });
});
