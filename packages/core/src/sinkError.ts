/**
 * What went wrong when a sink tried to write an event.
 *
 * - `NotFound`: the event to patch does not exist (HTTP 404). A broadcaster
 *   falls back to create.
 * - `AlreadyExists`: an event with that name exists (HTTP 409).
 * - `Invalid`: the server (or a local check) rejected the event (HTTP 422 or 400).
 * - `Forbidden`: the identity lacks a permission (HTTP 403).
 * - `TooManyRequests`: throttled (HTTP 429); may carry `retryAfterMs`.
 * - `ServerError`: the server failed (HTTP 5xx).
 * - `Transport`: the request did not get an answer (connection refused, reset,
 *   timeout, DNS, disk full for a file sink).
 * - `RequestConstruction`: the request could not be built (a bug or bad input).
 */
export type SinkErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Invalid'
  | 'Forbidden'
  | 'TooManyRequests'
  | 'ServerError'
  | 'Transport'
  | 'RequestConstruction';

/** Every {@link SinkErrorCode}, in a stable order. */
export const sinkErrorCodes: readonly SinkErrorCode[] = [
  'NotFound',
  'AlreadyExists',
  'Invalid',
  'Forbidden',
  'TooManyRequests',
  'ServerError',
  'Transport',
  'RequestConstruction',
];

/** Options shared by every {@link SinkError}. */
export interface SinkErrorOptions {
  /** The HTTP status, when the failure came from an HTTP answer. */
  status?: number;
  /** How long the server asked the client to wait, from `Retry-After`. */
  retryAfterMs?: number;
  /** The underlying error. */
  cause?: unknown;
  /**
   * Whether a retry may succeed. Defaults by code: `Transport`, `ServerError`
   * and `TooManyRequests` are retryable; the rest are final.
   */
  retryable?: boolean;
}

const retryableByDefault: ReadonlySet<SinkErrorCode> = new Set([
  'Transport',
  'ServerError',
  'TooManyRequests',
]);

/**
 * The base class of every error a sink returns. Broadcasters classify failures
 * by {@link SinkError.code} and {@link SinkError.retryable}, never by message.
 */
export class SinkError extends Error {
  /** The machine-readable kind of failure. */
  readonly code: SinkErrorCode;
  /** Whether retrying the same write may succeed. */
  readonly retryable: boolean;
  /** The HTTP status, when there was one. */
  readonly status: number | undefined;
  /** How long to wait before retrying, when the server said so. */
  readonly retryAfterMs: number | undefined;

  /**
   * Creates a sink error. Prefer the subclasses, or {@link sinkErrorFromStatus}
   * for an HTTP status.
   */
  constructor(
    code: SinkErrorCode,
    message: string,
    options: SinkErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'SinkError';
    this.code = code;
    this.retryable = options.retryable ?? retryableByDefault.has(code);
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The event to patch does not exist (HTTP 404). */
export class NotFoundError extends SinkError {
  declare readonly code: 'NotFound';
  /** Creates a NotFound error. */
  constructor(message: string, options: SinkErrorOptions = {}) {
    super('NotFound', message, { status: 404, ...options });
    this.name = 'NotFoundError';
  }
}

/** An event with the same name already exists (HTTP 409). */
export class AlreadyExistsError extends SinkError {
  declare readonly code: 'AlreadyExists';
  /** Creates an AlreadyExists error. */
  constructor(message: string, options: SinkErrorOptions = {}) {
    super('AlreadyExists', message, { status: 409, ...options });
    this.name = 'AlreadyExistsError';
  }
}

/** The event was rejected as invalid (HTTP 422 or 400, or a local check). */
export class InvalidError extends SinkError {
  declare readonly code: 'Invalid';
  /** Creates an Invalid error. */
  constructor(message: string, options: SinkErrorOptions = {}) {
    super('Invalid', message, options);
    this.name = 'InvalidError';
  }
}

/** The identity may not perform the write (HTTP 403). */
export class ForbiddenError extends SinkError {
  declare readonly code: 'Forbidden';
  /** Creates a Forbidden error. */
  constructor(message: string, options: SinkErrorOptions = {}) {
    super('Forbidden', message, { status: 403, ...options });
    this.name = 'ForbiddenError';
  }
}

/** The server throttled the write (HTTP 429). */
export class TooManyRequestsError extends SinkError {
  declare readonly code: 'TooManyRequests';
  /** Creates a TooManyRequests error. */
  constructor(message: string, options: SinkErrorOptions = {}) {
    super('TooManyRequests', message, { status: 429, ...options });
    this.name = 'TooManyRequestsError';
  }
}

/** The server failed (HTTP 5xx). */
export class ServerError extends SinkError {
  declare readonly code: 'ServerError';
  /** Creates a ServerError error. */
  constructor(message: string, options: SinkErrorOptions = {}) {
    super('ServerError', message, options);
    this.name = 'ServerError';
  }
}

/** The write got no answer: network failure, timeout, or a local I/O failure. */
export class TransportError extends SinkError {
  declare readonly code: 'Transport';
  /** Creates a Transport error. */
  constructor(message: string, options: SinkErrorOptions = {}) {
    super('Transport', message, options);
    this.name = 'TransportError';
  }
}

/** The request could not be built from the event. */
export class RequestConstructionError extends SinkError {
  declare readonly code: 'RequestConstruction';
  /** Creates a RequestConstruction error. */
  constructor(message: string, options: SinkErrorOptions = {}) {
    super('RequestConstruction', message, options);
    this.name = 'RequestConstructionError';
  }
}

/** Tells whether a value is a {@link SinkError} (also across package copies). */
export function isSinkError(value: unknown): value is SinkError {
  if (value instanceof SinkError) return true;
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { code?: unknown; retryable?: unknown };
  return (
    typeof v.retryable === 'boolean' &&
    typeof v.code === 'string' &&
    (sinkErrorCodes as readonly string[]).includes(v.code)
  );
}

/**
 * Maps an HTTP status to the matching {@link SinkError}: 404 NotFound,
 * 409 AlreadyExists, 400/422 Invalid, 403 Forbidden (401 too), 429
 * TooManyRequests, 5xx ServerError. Any other status is a final
 * `RequestConstruction` error.
 */
export function sinkErrorFromStatus(
  status: number,
  message: string,
  options: Omit<SinkErrorOptions, 'status'> = {},
): SinkError {
  const o = { ...options, status };
  if (status === 404) return new NotFoundError(message, o);
  if (status === 409) return new AlreadyExistsError(message, o);
  if (status === 400 || status === 422) return new InvalidError(message, o);
  if (status === 401 || status === 403) return new ForbiddenError(message, o);
  if (status === 429) return new TooManyRequestsError(message, o);
  if (status >= 500 && status <= 599) return new ServerError(message, o);
  return new RequestConstructionError(message, o);
}

/**
 * Parses an HTTP `Retry-After` header (delta seconds or an HTTP date) into
 * milliseconds from `now`. Returns `undefined` when absent or unparseable.
 */
export function parseRetryAfter(
  header: string | null | undefined,
  now: Date = new Date(),
): number | undefined {
  if (header === null || header === undefined) return undefined;
  const trimmed = header.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/**
 * A programmer error: an option or argument that can never work, such as a
 * negative queue length. Thrown only at construction or call time, never on
 * the recording hot path.
 */
export class InvalidOptionError extends Error {
  /** Always `InvalidOption`. */
  readonly code = 'InvalidOption' as const;
  /** Creates the error. */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'InvalidOptionError';
  }
}

/** Use after close: a sink, broadcaster or watcher was already closed. */
export class ClosedError extends Error {
  /** Always `Closed`. */
  readonly code = 'Closed' as const;
  /** Creates the error. */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'ClosedError';
  }
}

/**
 * The object given to a recorder cannot be referenced: it is not an object, or
 * it lacks `kind`, `apiVersion` or a name.
 */
export class InvalidObjectError extends Error {
  /** Always `InvalidObject`. */
  readonly code = 'InvalidObject' as const;
  /** Creates the error. */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'InvalidObjectError';
  }
}
