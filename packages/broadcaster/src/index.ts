// core/v1 broadcaster (client-go tools/record)
export { EventBroadcaster } from './eventBroadcaster.js';
export type {
  EventBroadcasterOptions,
  CorrelatorOptions,
  RecordingOptions,
  NewRecorderOptions,
} from './eventBroadcaster.js';

// events.k8s.io/v1 broadcaster (client-go tools/events)
export { EventsBroadcaster } from './eventsBroadcaster.js';
export type {
  EventsBroadcasterOptions,
  EventsRecordingOptions,
  NewEventsRecorderOptions,
} from './eventsBroadcaster.js';

// Watchers and handles
export type { EventHandler, WatchHandle } from './watcherWorker.js';
export type { DeadlineOptions } from './fanout.js';

// Retry policies
export {
  createBackoffRetryPolicy,
  createClientGoRetryPolicy,
} from './retryPolicy.js';
export type {
  RetryPolicy,
  RetryPolicyOption,
  RetryContext,
  BackoffRetryPolicyOptions,
  ClientGoRetryPolicyOptions,
} from './retryPolicy.js';

// Delivery accounting
export type { BroadcasterStats, ConsumerStats } from './stats.js';

// Log formats (client-go's)
export { formatEventLine } from './logFormat.js';
