// Event shapes
export {
  EventTypes,
  isValidEventType,
  eventsV1ToCoreV1,
  coreV1ToEventsV1,
  isEventsV1Event,
  copyRecord,
} from './event.js';
export type {
  Event,
  EventsV1Event,
  EventType,
  EventSeries,
  EventMetadata,
  EventSource,
  ObjectReference,
} from './event.js';

// References
export { getReference, getPartialReference } from './reference.js';
export type { ReferenceableObject, KubernetesObjectLike } from './reference.js';

// Sinks and their errors
export type { EventSink } from './eventSink.js';
export {
  SinkError,
  NotFoundError,
  AlreadyExistsError,
  InvalidError,
  ForbiddenError,
  TooManyRequestsError,
  ServerError,
  TransportError,
  RequestConstructionError,
  InvalidOptionError,
  ClosedError,
  InvalidObjectError,
  isSinkError,
  sinkErrorFromStatus,
  sinkErrorCodes,
  parseRetryAfter,
} from './sinkError.js';
export type { SinkErrorCode, SinkErrorOptions } from './sinkError.js';

// Delivery accounting and the publishing port
export { dropReasons, emptyDropCounts } from './delivery.js';
export type {
  DropReason,
  DropCounts,
  DeliveryReport,
  EventPublisher,
} from './delivery.js';

// Time
export { realClock, FakeClock, sleep } from './clock.js';
export type { Clock, PassiveClock, Timer } from './clock.js';
export {
  formatMicroTime,
  formatTime,
  parseTime,
  truncateToSeconds,
  unixNanos,
} from './microTime.js';

// Logging
export { noopLogger, createConsoleLogger, MemoryLogger } from './logger.js';
export type {
  Logger,
  LogFields,
  LogLevel,
  LogEntry,
  ConsoleLoggerOptions,
} from './logger.js';

// Validation
export {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  utf8ByteLength,
  truncateUtf8,
  generateEventName,
  validateEventCreate,
  validateEventUpdate,
  eventFieldLimits,
} from './validation.js';
export type { ValidationIssue, EventApi } from './validation.js';

// Recording
export { sprintf } from './sprintf.js';
export type { EventRecorder, EventsRecorder } from './recorderTypes.js';
