// The pipeline streams shared by ab.mjs and alloc.mjs (the benchmark itself,
// src/pipeline.bench.ts, has its own, typed): 1,000 events per batch with a
// flush after each, into MemorySink({ maxEvents: 10,000 }). `lib` holds the
// exports of @event-recorder/broadcaster, core and sink-memory (of the build
// being measured).

const BATCH = 1000;
const SINK_MAX_EVENTS = 10_000;

/** An object to record about: a Pod. */
export function pod(i) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${i}`, namespace: 'shop', uid: `uid-${i}` },
  };
}

/**
 * Records `events` events of `stream` ('distinct': each about a new Pod;
 * 'repeats': 100 Pods in turn) through the core/v1 path (`api` 'core':
 * EventBroadcaster, the spam filter opened wide for repeats) or the
 * events.k8s.io one (`api` 'events': EventsBroadcaster, the sink's eventsV1
 * view), checks that all were delivered, and returns the ns per event from
 * the first record to the last flush.
 */
export async function recordStream(lib, api, stream, events) {
  const sink = new lib.MemorySink({ maxEvents: SINK_MAX_EVENTS });
  const pods = Array.from(
    { length: stream === 'distinct' ? events : 100 },
    (_, i) => pod(i),
  );
  let broadcaster;
  let record;
  if (api === 'core') {
    broadcaster = new lib.EventBroadcaster({
      logger: lib.noopLogger,
      correlatorOptions:
        stream === 'repeats' ? { burstSize: 1e9, qps: 1e9 } : {},
    });
    broadcaster.startRecordingToSink(sink);
    const recorder = broadcaster.newRecorder({ component: 'bench' });
    record = (i) =>
      recorder.eventf(
        pods[i % pods.length],
        'Normal',
        'Scheduled',
        'Successfully assigned %s to node-1',
        'shop/web',
      );
  } else {
    broadcaster = new lib.EventsBroadcaster({ logger: lib.noopLogger });
    broadcaster.startRecordingToSink(sink.eventsV1());
    const recorder = broadcaster.newRecorder('bench');
    record = (i) =>
      recorder.eventf(
        pods[i % pods.length],
        undefined,
        'Normal',
        'Scheduled',
        'Binding',
        'Successfully assigned %s to node-1',
        'shop/web',
      );
  }
  const start = process.hrtime.bigint();
  for (let done = 0; done < events; done += BATCH) {
    for (let i = done; i < done + BATCH; i++) record(i);
    await broadcaster.flush();
  }
  const ns = Number(process.hrtime.bigint() - start) / events;
  // For events.k8s.io, shutdown writes the open series' counts: every
  // occurrence is then delivered (that write is not timed).
  const report = await broadcaster.shutdown();
  if (report.delivered !== events)
    throw new Error(`delivered ${report.delivered} of ${events}`);
  return ns;
}
