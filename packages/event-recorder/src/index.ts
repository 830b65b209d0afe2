// Getting started: a broadcaster with client-go's defaults
export {
  createEventBroadcaster,
  clientGoDefaults,
} from './createEventBroadcaster.js';
export type { CreateEventBroadcasterOptions } from './createEventBroadcaster.js';

// The Kubernetes adapter (events.k8s.io/v1 when served, core/v1 otherwise)
export { createEventBroadcasterAdapter } from './createEventBroadcasterAdapter.js';
export type {
  EventBroadcasterAdapter,
  EventBroadcasterAdapterOptions,
  EventsApiGroupVersion,
} from './createEventBroadcasterAdapter.js';

// De-duplication across restarts
export {
  resumeDeduplication,
  isRestorableSink,
} from './resumeDeduplication.js';
export type {
  RestorableSink,
  ResumeDeduplicationOptions,
} from './resumeDeduplication.js';

// Broadcasting (@event-recorder/broadcaster)
export {
  EventBroadcaster,
  EventsBroadcaster,
  createBackoffRetryPolicy,
  createClientGoRetryPolicy,
  formatEventLine,
} from '@event-recorder/broadcaster';
export type {
  EventBroadcasterOptions,
  EventsBroadcasterOptions,
  CorrelatorOptions,
  RecordingOptions,
  NewRecorderOptions,
  EventHandler,
  WatchHandle,
  DeadlineOptions,
  RetryPolicy,
  RetryPolicyOption,
  BroadcasterStats,
  ConsumerStats,
} from '@event-recorder/broadcaster';

// Recording (@event-recorder/recorder)
export {
  createEventRecorder,
  createEventsRecorder,
  createEventsRecorderAdapter,
} from '@event-recorder/recorder';
export type {
  EventRecorderOptions,
  EventsRecorderOptions,
} from '@event-recorder/recorder';

// Correlation (@event-recorder/correlator)
export { EventCorrelator, getEventKey } from '@event-recorder/correlator';
export type {
  EventCorrelatorOptions,
  CorrelationResult,
} from '@event-recorder/correlator';

// Sinks (@event-recorder/sink-kubernetes, @event-recorder/sink-memory,
// @event-recorder/sink-file). The Kubernetes sinks load @kubernetes/client-node
// only when used, so it stays an optional peer.
export {
  CoreV1EventSink,
  EventsV1EventSink,
} from '@event-recorder/sink-kubernetes';
export type {
  CoreV1EventSinkOptions,
  EventsV1EventSinkOptions,
} from '@event-recorder/sink-kubernetes';
export { MemorySink, FakeRecorder } from '@event-recorder/sink-memory';
export type {
  MemorySinkOptions,
  FakeRecorderOptions,
  RecordedEvent,
} from '@event-recorder/sink-memory';
export {
  FileSink,
  readEvents,
  readRecords,
  followRecords,
  toWireEvent,
} from '@event-recorder/sink-file';
export type {
  FileSinkOptions,
  FileSinkStats,
  FsyncMode,
  FileRecord,
  ReadEventsOptions,
  FollowRecordsOptions,
} from '@event-recorder/sink-file';

// The contract (@event-recorder/core)
export {
  EventTypes,
  getReference,
  SinkError,
  NotFoundError,
  AlreadyExistsError,
  InvalidError,
  ForbiddenError,
  TooManyRequestsError,
  ServerError,
  TransportError,
  InvalidOptionError,
  ClosedError,
  isSinkError,
  realClock,
  FakeClock,
  noopLogger,
  createConsoleLogger,
  MemoryLogger,
} from '@event-recorder/core';
export type {
  Event,
  EventsV1Event,
  EventType,
  EventSource,
  ObjectReference,
  EventSink,
  EventRecorder,
  EventsRecorder,
  Clock,
  Logger,
  DeliveryReport,
  DropReason,
  DropCounts,
} from '@event-recorder/core';
