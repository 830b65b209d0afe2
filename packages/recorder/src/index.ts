// core/v1-style recorder (client-go tools/record)
export { createEventRecorder } from './eventRecorder.js';
export type {
  EventRecorderOptions,
  EventRecorderLogger,
} from './eventRecorder.js';

// events.k8s.io/v1-style recorder (client-go tools/events)
export { createEventsRecorder } from './eventsRecorder.js';
export type {
  EventsRecorderOptions,
  EventsRecorderLogger,
} from './eventsRecorder.js';

// Adapter: a core/v1 recorder behind the events.k8s.io interface
export { createEventsRecorderAdapter } from './eventsRecorderAdapter.js';

// Drop accounting
export type { RecorderDropReason } from './dropReporter.js';

// The interfaces implemented here, re-exported from core for convenience
export type { EventRecorder, EventsRecorder } from '@event-recorder/core';
