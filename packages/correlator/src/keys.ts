import type { Event } from '@event-recorder/core';
import { str } from './internal.js';

/**
 * Groups events for aggregation, as client-go's `EventAggregatorKeyFunc`.
 * Events with the same `aggregateKey` are similar; `localKey` tells the
 * similar events apart. When {@link EventAggregatorOptions.maxEvents} distinct
 * local keys are seen under one aggregate key within the interval, the events
 * are combined.
 */
export type EventAggregatorKeyFunc = (event: Event) => {
  /** The group this event belongs to. */
  aggregateKey: string;
  /** What makes this event distinct within its group. */
  localKey: string;
};

/**
 * Produces the message of a combined event, as client-go's
 * `EventAggregatorMessageFunc`.
 */
export type EventAggregatorMessageFunc = (event: Event) => string;

/**
 * Produces the key the spam filter rate-limits on, as client-go's
 * `EventSpamKeyFunc`. Events with the same key share one token bucket.
 */
export type EventSpamKeyFunc = (event: Event) => string;

/** The prefix {@link eventAggregatorByReasonMessageFunc} puts before the message. */
export const aggregatedMessagePrefix = '(combined from similar events): ';

/**
 * The full identity of an event, used to de-duplicate it and to key
 * `updateState`: source component and host, the involved object's kind,
 * namespace, name, fieldPath, uid and apiVersion, then type, reason and
 * message, concatenated with no separator (as client-go's `getEventKey`, so
 * keys compare equal exactly when client-go's do). Absent fields count as
 * empty.
 */
export function getEventKey(event: Event): string {
  const source = event.source;
  const ref = event.involvedObject;
  return (
    str(source?.component) +
    str(source?.host) +
    str(ref?.kind) +
    str(ref?.namespace) +
    str(ref?.name) +
    str(ref?.fieldPath) +
    str(ref?.uid) +
    str(ref?.apiVersion) +
    str(event.type) +
    str(event.reason) +
    str(event.message)
  );
}

/**
 * The default spam key: source component and host, the involved object's kind,
 * namespace, name, uid and apiVersion, and the event type, concatenated with no
 * separator (as client-go's `getSpamKey` since v0.32). The reason, message and
 * fieldPath are not part of it, so every event about one object from one
 * source shares a token bucket per type.
 */
export function getSpamKey(event: Event): string {
  const source = event.source;
  const ref = event.involvedObject;
  return (
    str(source?.component) +
    str(source?.host) +
    str(ref?.kind) +
    str(ref?.namespace) +
    str(ref?.name) +
    str(ref?.uid) +
    str(ref?.apiVersion) +
    str(event.type)
  );
}

/**
 * The default {@link EventAggregatorKeyFunc}, as client-go's
 * `EventAggregatorByReasonFunc`: events are similar when they have the same
 * source, involved object (without fieldPath), type, reason, reporting
 * component and reporting instance; the message tells them apart.
 */
export function eventAggregatorByReasonFunc(event: Event): {
  aggregateKey: string;
  localKey: string;
} {
  const source = event.source;
  const ref = event.involvedObject;
  return {
    aggregateKey:
      str(source?.component) +
      str(source?.host) +
      str(ref?.kind) +
      str(ref?.namespace) +
      str(ref?.name) +
      str(ref?.uid) +
      str(ref?.apiVersion) +
      str(event.type) +
      str(event.reason) +
      str(event.reportingComponent) +
      str(event.reportingInstance),
    localKey: str(event.message),
  };
}

/**
 * The default {@link EventAggregatorMessageFunc}, as client-go's
 * `EventAggregatorByReasonMessageFunc`:
 * `"(combined from similar events): " + event.message`.
 */
export function eventAggregatorByReasonMessageFunc(event: Event): string {
  return aggregatedMessagePrefix + str(event.message);
}
