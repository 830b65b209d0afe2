import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSinkError, utf8ByteLength } from '@event-recorder/core';
import fc from 'fast-check';
import type { Event, SinkError } from '@event-recorder/core';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1EventSink } from './coreV1EventSink.js';
import { EventsV1EventSink } from './eventsV1EventSink.js';
import { toSinkError } from './errors.js';

// A scripted HTTP server: the real client library talks to it over a real
// socket, so these tests see the same exceptions and headers as production,
// for the statuses a test kube-apiserver will not produce on demand.
interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}
const seen: Seen[] = [];
let reply: { status: number; headers?: Record<string, string>; body: unknown } =
  {
    status: 200,
    body: {},
  };
let server: http.Server;
let kubeConfig: KubeConfig;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'],
        body,
      });
      res.writeHead(reply.status, {
        'content-type': 'application/json',
        ...reply.headers,
      });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: `http://127.0.0.1:${String(port)}`,
        skipTLSVerify: true,
      },
    ],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function status(code: number, reason: string, message: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code,
    reason,
    message,
  };
}

const event: Event = {
  metadata: { name: 'web-0.1', namespace: 'team-a' },
  involvedObject: {
    kind: 'Pod',
    apiVersion: 'v1',
    name: 'web-0',
    namespace: 'team-a',
  },
  reason: 'Started',
  message: 'started',
  type: 'Normal',
  count: 1,
  firstTimestamp: new Date('2026-07-24T10:00:00.900Z'),
  lastTimestamp: new Date('2026-07-24T10:00:00.900Z'),
};

async function failure(promise: Promise<unknown>): Promise<SinkError> {
  try {
    await promise;
  } catch (error) {
    if (isSinkError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('the wire format', () => {
  it('sends a patch with the strategic-merge content type, unchanged', async () => {
    reply = {
      status: 200,
      body: { metadata: { name: 'web-0.1', namespace: 'team-a' }, count: 2 },
    };
    const sink = new CoreV1EventSink({ kubeConfig });
    const patch =
      '{"count":2,"lastTimestamp":"2026-07-24T10:00:05Z","message":"m"}';
    const result = await sink.patch(event, patch);
    const request = seen.at(-1)!;
    expect(request.method).toBe('PATCH');
    expect(request.url).toBe('/api/v1/namespaces/team-a/events/web-0.1');
    expect(request.contentType).toBe('application/strategic-merge-patch+json');
    expect(JSON.parse(request.body)).toEqual(JSON.parse(patch));
    expect(result.count).toBe(2);
  });

  it('sends seconds for core timestamps and six digits for MicroTime', async () => {
    reply = {
      status: 201,
      body: {
        metadata: { name: 'web-0.1' },
        eventTime: '2026-07-24T10:00:00.900000Z',
      },
    };
    const sink = new CoreV1EventSink({ kubeConfig });
    const created = await sink.create({
      ...event,
      eventTime: new Date('2026-07-24T10:00:00.9Z'),
      series: { count: 2, lastObservedTime: new Date('2026-07-24T10:00:01Z') },
      reportingComponent: 'c',
      reportingInstance: 'i',
      action: 'A',
    });
    const body = JSON.parse(seen.at(-1)!.body) as Record<string, unknown>;
    expect(seen.at(-1)!.contentType).toBe('application/json');
    expect(body['firstTimestamp']).toBe('2026-07-24T10:00:00Z');
    expect(body['eventTime']).toBe('2026-07-24T10:00:00.900000Z');
    expect(body['series']).toEqual({
      count: 2,
      lastObservedTime: '2026-07-24T10:00:01.000000Z',
    });
    expect(created.eventTime?.toISOString()).toBe('2026-07-24T10:00:00.900Z');
  });

  it('rewrites a series time with fewer than six digits in a patch', async () => {
    reply = { status: 200, body: { metadata: { name: 'n' } } };
    const sink = new EventsV1EventSink({ kubeConfig });
    await sink.patch(
      {
        metadata: { name: 'n', namespace: 'team-a' },
        eventTime: new Date(),
        regarding: { namespace: 'team-a' },
      },
      '{"series":{"count":3,"lastObservedTime":"2026-07-24T10:00:01.5Z"}}',
    );
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({
      series: { count: 3, lastObservedTime: '2026-07-24T10:00:01.500000Z' },
    });
  });

  it('refuses a patch that is not a JSON object before sending it', async () => {
    const before = seen.length;
    const error = await failure(
      new CoreV1EventSink({ kubeConfig }).patch(event, '[1]'),
    );
    expect(error.code).toBe('RequestConstruction');
    expect(seen.length).toBe(before);
  });
});

describe('the error mapping', () => {
  it.each([
    [404, 'NotFound', 'NotFound', false],
    [409, 'AlreadyExists', 'AlreadyExists', false],
    [422, 'Invalid', 'Invalid', false],
    [400, 'BadRequest', 'Invalid', false],
    [500, 'InternalError', 'ServerError', true],
    [503, 'ServiceUnavailable', 'ServerError', true],
    [504, 'Timeout', 'ServerError', true],
  ] as const)(
    'maps HTTP %i to %s, keeping the server message',
    async (code, reason, expected, retryable) => {
      reply = {
        status: code,
        body: status(code, reason, `the server says ${reason}`),
      };
      const error = await failure(
        new CoreV1EventSink({ kubeConfig }).create(event),
      );
      expect(error.code).toBe(expected);
      expect(error.status).toBe(code);
      expect(error.retryable).toBe(retryable);
      expect(error.message).toContain(`the server says ${reason}`);
      expect(error.message).toContain('team-a/web-0.1');
    },
  );

  it('maps 429 to TooManyRequests with the Retry-After delay', async () => {
    reply = {
      status: 429,
      headers: { 'Retry-After': '7' },
      body: status(
        429,
        'TooManyRequests',
        'too many requests, please try again later',
      ),
    };
    const error = await failure(
      new CoreV1EventSink({ kubeConfig }).create(event),
    );
    expect(error.code).toBe('TooManyRequests');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(7000);
  });

  it('maps 401 to Forbidden, saying the credentials were refused', async () => {
    reply = { status: 401, body: status(401, 'Unauthorized', 'Unauthorized') };
    const error = await failure(
      new CoreV1EventSink({ kubeConfig }).create(event),
    );
    expect(error.code).toBe('Forbidden');
    expect(error.status).toBe(401);
    expect(error.message).toContain(
      "did not accept this identity's credentials",
    );
  });

  it('does not call a terminating namespace a missing permission', async () => {
    reply = {
      status: 403,
      body: {
        ...status(
          403,
          'Forbidden',
          'events "x" is forbidden: unable to create new content in namespace team-a because it is being terminated',
        ),
        details: { causes: [{ type: 'NamespaceTerminating' }] },
      },
    };
    const error = await failure(
      new CoreV1EventSink({ kubeConfig }).create(event),
    );
    expect(error.code).toBe('Forbidden');
    expect(error.message).not.toContain('this identity may not');
    expect(error.message).toContain('being terminated');
  });

  it('maps a refused connection to a retryable Transport error', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        { name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true },
      ],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const error = await failure(
      new EventsV1EventSink({ kubeConfig: kc }).create({
        metadata: { name: 'n', namespace: 'team-a' },
        eventTime: new Date(),
        reportingController: 'c',
        reportingInstance: 'i',
        action: 'A',
        reason: 'R',
        type: 'Normal',
        regarding: { kind: 'Pod', namespace: 'team-a', name: 'p' },
      }),
    );
    expect(error.code).toBe('Transport');
    expect(error.retryable).toBe(true);
  });

  it('passes a SinkError through and treats a bare TypeError as a bug', () => {
    const context = {
      verb: 'create',
      group: '',
      namespace: 'ns',
      name: 'n',
    } as const;
    const original = toSinkError(new Error('socket hang up'), context);
    expect(original.code).toBe('Transport');
    expect(toSinkError(original, context)).toBe(original);
    expect(
      toSinkError(
        new TypeError("Cannot read properties of undefined (reading 'x')"),
        context,
      ).code,
    ).toBe('RequestConstruction');
  });
});

describe('the options', () => {
  it('needs exactly one of kubeConfig or api', () => {
    expect(() => new CoreV1EventSink({})).toThrow(/exactly one of/);
    expect(() => new EventsV1EventSink({})).toThrow(/exactly one of/);
  });

  it('accepts only the namespaces the server allows for cluster-scoped objects', () => {
    expect(
      () =>
        new CoreV1EventSink({
          kubeConfig,
          clusterScopedNamespace: 'team-a' as 'default',
        }),
    ).toThrow(/"default" or "kube-system"/);
  });
});

describe('the up-front fixes', () => {
  it('never sends a note, reason, action or reportingInstance over its byte limit, and keeps a prefix', async () => {
    reply = { status: 201, body: { metadata: { name: 'n' } } };
    const sink = new EventsV1EventSink({ kubeConfig });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 1500 }),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }),
        async (note, reason) => {
          await sink.create({
            metadata: { name: 'n', namespace: 'team-a' },
            eventTime: new Date('2026-07-24T10:00:00Z'),
            reportingController: 'example.com/c',
            reportingInstance: reason,
            action: reason,
            reason,
            note,
            type: 'Normal',
            regarding: { kind: 'Pod', namespace: 'team-a', name: 'p' },
          });
          const sent = JSON.parse(seen.at(-1)!.body) as Record<string, string>;
          for (const [field, limit, original] of [
            ['note', 1024, note],
            ['reason', 128, reason],
            ['action', 128, reason],
            ['reportingInstance', 128, reason],
          ] as const) {
            const value = sent[field] ?? '';
            expect(utf8ByteLength(value)).toBeLessThanOrEqual(limit);
            if (value !== original) {
              expect(original.startsWith(value.replace(/…$/, ''))).toBe(true);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
