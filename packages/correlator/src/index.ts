// The correlator (client-go's tools/record EventCorrelator)
export { EventCorrelator } from './eventCorrelator.js';
export type {
  EventCorrelatorOptions,
  CorrelationResult,
} from './eventCorrelator.js';

// Its parts
export {
  EventAggregator,
  defaultAggregateMaxEvents,
  defaultAggregateIntervalInSeconds,
} from './eventAggregator.js';
export type {
  EventAggregatorOptions,
  AggregateResult,
} from './eventAggregator.js';
export { EventLogger } from './eventLogger.js';
export type { EventLoggerOptions, ObserveResult } from './eventLogger.js';
export {
  EventSourceObjectSpamFilter,
  defaultLruCacheSize,
  defaultSpamBurst,
  defaultSpamQps,
} from './eventSourceObjectSpamFilter.js';
export type { EventSourceObjectSpamFilterOptions } from './eventSourceObjectSpamFilter.js';
export { TokenBucket } from './tokenBucket.js';
export type { TokenBucketOptions } from './tokenBucket.js';

// Key functions
export {
  getEventKey,
  getSpamKey,
  eventAggregatorByReasonFunc,
  eventAggregatorByReasonMessageFunc,
  aggregatedMessagePrefix,
} from './keys.js';
export type {
  EventAggregatorKeyFunc,
  EventAggregatorMessageFunc,
  EventSpamKeyFunc,
} from './keys.js';

// The events.k8s.io/v1 series tracker (client-go's tools/events cache)
export {
  EventSeriesTracker,
  getIsomorphicKey,
  seriesFinishTimeMs,
  seriesRefreshTimeMs,
  defaultSeriesMaxEntries,
} from './eventSeriesTracker.js';
export type {
  EventSeriesTrackerOptions,
  NotePolicy,
  SeriesWrite,
  SeriesWriteCause,
} from './eventSeriesTracker.js';
