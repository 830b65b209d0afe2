// Sinks
export { CoreV1EventSink } from './coreV1EventSink.js';
export type { CoreV1EventSinkOptions } from './coreV1EventSink.js';
export { EventsV1EventSink } from './eventsV1EventSink.js';
export type { EventsV1EventSinkOptions } from './eventsV1EventSink.js';
export type { KubernetesSinkStats } from './shared.js';

// Error mapping, for custom sinks over the same client library
export { toSinkError, forbiddenDiagnostic, ForbiddenLog } from './errors.js';
export type { RequestContext } from './errors.js';
