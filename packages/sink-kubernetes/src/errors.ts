import {
  ForbiddenError,
  RequestConstructionError,
  TransportError,
  isSinkError,
  noopLogger,
  parseRetryAfter,
  sinkErrorFromStatus,
} from '@event-recorder/core';
import type { Logger, SinkError } from '@event-recorder/core';

/** The request that failed, for error messages and the Forbidden diagnostic. */
export interface RequestContext {
  /** The Kubernetes verb: `create`, `patch` or `update`. */
  readonly verb: 'create' | 'patch' | 'update';
  /** The API group: `''` for core/v1, `events.k8s.io` for events.k8s.io/v1. */
  readonly group: '' | 'events.k8s.io';
  /** The namespace of the event. */
  readonly namespace: string;
  /** The name of the event. */
  readonly name: string;
}

interface HttpFailure {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

// client-node's ApiException (both majors) carries `code`, `body` and
// `headers`. Duck-type it, so that two installed copies of the library, or a
// wrapper that rethrows, are still recognised.
function asHttpFailure(error: unknown): HttpFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; body?: unknown; headers?: unknown };
  if (typeof e.code !== 'number' || e.code < 100 || e.code > 599)
    return undefined;
  if (!('body' in e) && !('headers' in e)) return undefined;
  const headers: Record<string, string> = {};
  if (typeof e.headers === 'object' && e.headers !== null) {
    for (const [k, v] of Object.entries(e.headers as Record<string, unknown>)) {
      if (typeof v === 'string') headers[k.toLowerCase()] = v;
    }
  }
  return { status: e.code, body: e.body, headers };
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: { type?: string; message?: string }[] };
}

function readStatus(body: unknown): StatusBody | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body === '' ? undefined : { message: body };
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  return value;
}

function describeGroup(group: RequestContext['group']): string {
  return group === '' ? 'the core group ("")' : `group \`${group}\``;
}

/**
 * The one-line diagnostic for a 403: which permission this identity lacks.
 * For example: this identity may not `patch` `events` in group
 * `events.k8s.io` in namespace "team-a".
 */
export function forbiddenDiagnostic(context: RequestContext): string {
  return (
    `this identity may not \`${context.verb}\` \`events\` in ` +
    `${describeGroup(context.group)} in namespace "${context.namespace}"`
  );
}

function isNamespaceTerminating(status: StatusBody | undefined): boolean {
  return (
    status?.details?.causes?.some((c) => c.type === 'NamespaceTerminating') ===
      true || /being terminated/.test(status?.message ?? '')
  );
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (
    let depth = 0;
    depth < 4 && typeof current === 'object' && current !== null;
    depth++
  ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Tracks which Forbidden diagnostics were already logged, so each missing
 * permission is named once, loudly, and not once per event.
 */
export class ForbiddenLog {
  readonly #seen = new Set<string>();

  /** Logs the diagnostic at error level the first time, at debug after. */
  report(logger: Logger, context: RequestContext, serverMessage: string): void {
    const key = `${context.verb}|${context.group}|${context.namespace}`;
    const fields = {
      verb: context.verb,
      resource: 'events',
      group: context.group,
      namespace: context.namespace,
      serverMessage,
    };
    if (this.#seen.has(key)) {
      logger.debug('Event write forbidden (already reported)', fields);
      return;
    }
    this.#seen.add(key);
    logger.error(
      `Event write forbidden: ${forbiddenDiagnostic(context)}`,
      fields,
    );
  }
}

/**
 * Maps whatever the client library threw to core's {@link SinkError}: HTTP
 * statuses by code (404, 409, 400/422, 401/403, 429 with `Retry-After`, 5xx),
 * network failures to `Transport`, and failures to build the request to
 * `RequestConstruction`. The server's message is kept in the error's message.
 */
export function toSinkError(
  error: unknown,
  context: RequestContext,
  forbidden: { log: ForbiddenLog; logger: Logger } = {
    log: new ForbiddenLog(),
    logger: noopLogger,
  },
  now: Date = new Date(),
): SinkError {
  if (isSinkError(error)) return error;
  const where = `${context.verb} event ${context.namespace}/${context.name}`;
  const http = asHttpFailure(error);
  if (http !== undefined) {
    const status = readStatus(http.body);
    const serverMessage =
      status?.message ??
      (error instanceof Error ? (error.message.split('\n')[1] ?? '') : '');
    const retryAfterMs = parseRetryAfter(http.headers['retry-after'], now);
    const options = {
      cause: error,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
    if (http.status === 403 && !isNamespaceTerminating(status)) {
      forbidden.log.report(forbidden.logger, context, serverMessage);
      return new ForbiddenError(
        `${forbiddenDiagnostic(context)}. Server said: ${serverMessage}`,
        options,
      );
    }
    if (http.status === 401) {
      return new ForbiddenError(
        `${where}: the server did not accept this identity's credentials (401 Unauthorized)` +
          (serverMessage ? `. Server said: ${serverMessage}` : ''),
        { ...options, status: 401 },
      );
    }
    return sinkErrorFromStatus(
      http.status,
      `${where}: ${serverMessage || `HTTP ${String(http.status)}`}`,
      options,
    );
  }
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const code = networkCode(error);
  // client-node throws RequiredError when a parameter is missing, and a
  // TypeError without a network cause is a bug: neither is the network's
  // fault, and retrying cannot help.
  const looksLikeBug =
    name === 'RequiredError' ||
    (error instanceof TypeError &&
      code === undefined &&
      !/fetch failed|network|socket|terminated/i.test(message));
  if (looksLikeBug) {
    return new RequestConstructionError(`${where}: ${message}`, {
      cause: error,
    });
  }
  // undici says only "fetch failed"; the reason is in its cause.
  const cause =
    error instanceof Error && error.cause instanceof Error
      ? error.cause.message
      : undefined;
  const detail = [code, cause]
    .filter((d) => d !== undefined && !message.includes(d))
    .join(': ');
  return new TransportError(
    `${where}: ${message}${detail ? ` (${detail})` : ''}`,
    {
      cause: error,
    },
  );
}
