// The in-memory sink: one store, a core/v1 view and an events.k8s.io/v1 view
export { MemorySink, MemoryEventsV1Sink } from './memorySink.js';
export type {
  MemorySinkOptions,
  MemorySinkCalls,
  EventListFilter,
  FailNextOptions,
} from './memorySink.js';
export type { MemorySinkMethod, MemorySinkRequest } from './requestLog.js';

// The structured fake recorder
export { FakeRecorder, formatClientGoString } from './fakeRecorder.js';
export type {
  FakeRecorderOptions,
  RecordedEvent,
  RecordedEventFilter,
  ClientGoStringOptions,
} from './fakeRecorder.js';

// Waiting for writes in tests
export type { WaitForOptions } from './waiters.js';
