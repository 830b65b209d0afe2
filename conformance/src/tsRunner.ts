import { EventCorrelator } from '@event-recorder/correlator';
import { IntervalClock } from './intervalClock.js';
import type {
  Scenario,
  ScenarioResult,
  SinkResponse,
  StepResult,
} from './scenario.js';
import {
  keyFuncByName,
  messageFuncByName,
  spamKeyFuncByName,
} from './userFuncs.js';
import type { WireEvent } from './wire.js';
import { eventFromWire, eventToWire } from './wire.js';
import type { Event } from '@event-recorder/core';

function positive(value: number | undefined): number | undefined {
  // client-go's populateDefaults: zero means "use the default".
  return value === undefined || value === 0 ? undefined : value;
}

function mergeInto(
  dst: Record<string, unknown>,
  src: Record<string, unknown>,
): void {
  for (const [k, v] of Object.entries(src)) {
    const d = dst[k];
    if (
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      d !== null &&
      typeof d === 'object' &&
      !Array.isArray(d)
    ) {
      mergeInto(d as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      dst[k] = v;
    }
  }
}

function sinkResponse(
  sink: SinkResponse | undefined,
  written: Event,
): Event | undefined {
  if (sink === undefined || sink === 'echo') return written;
  if (sink === 'none') return undefined;
  if ('event' in sink) return eventFromWire(sink.event);
  const base = JSON.parse(JSON.stringify(eventToWire(written))) as Record<
    string,
    unknown
  >;
  mergeInto(base, sink.overlay);
  return eventFromWire(base as unknown as WireEvent);
}

/** Runs one scenario through `@event-recorder/correlator`. */
export function runScenarioTs(scenario: Scenario): ScenarioResult {
  const result: ScenarioResult = { name: scenario.name, steps: [] };
  try {
    const clock = new IntervalClock(
      new Date(scenario.clock.start),
      scenario.clock.intervalMs ?? 0,
    );
    const o = scenario.options;
    const correlator = new EventCorrelator({
      clock,
      lruCacheSize: positive(o.lruCacheSize),
      burstSize: positive(o.burstSize),
      qps: positive(o.qps),
      maxEvents: positive(o.maxEvents),
      maxIntervalInSeconds: positive(o.maxIntervalInSeconds),
      keyFunc: keyFuncByName(o.keyFunc),
      messageFunc: messageFuncByName(o.messageFunc),
      spamKeyFunc: spamKeyFuncByName(o.spamKeyFunc),
    });
    for (const step of scenario.steps) {
      if (step.setTime !== undefined) clock.setTime(new Date(step.setTime));
      clock.advance(step.advanceMs ?? 0);
      const event = eventFromWire(step.event);
      const out: StepResult = { skip: false, clockReads: [] };
      if (step.stamp === true) {
        const t = clock.now();
        event.firstTimestamp = new Date(t.getTime());
        event.lastTimestamp = new Date(t.getTime());
        out.stamped = t.toISOString();
      }
      clock.resetReads();
      const r = correlator.correlate(event);
      out.clockReads = clock.reads.map((d) => d.toISOString());
      out.skip = r.skip;
      if (!r.skip) {
        out.event = eventToWire(r.event);
        if (r.patch !== undefined) out.patch = r.patch;
        const update = sinkResponse(step.sink, r.event);
        if (update !== undefined) correlator.updateState(update);
      }
      result.steps.push(out);
    }
  } catch (err) {
    result.error = `threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  }
  return result;
}
