import type { EventApi, SinkErrorCode } from '@event-recorder/core';

/** A sink method, as counted in `MemorySinkCalls`. */
export type MemorySinkMethod = 'create' | 'update' | 'patch';

/** One request a memory sink answered, as kept in its request log. */
export interface MemorySinkRequest {
  /** The API the request went through. */
  api: EventApi;
  /** The method called. */
  method: MemorySinkMethod;
  /** The event's namespace, `''` when it had none. */
  namespace: string;
  /** The event's name, `''` when it had none. */
  name: string;
  /** The patch body, for `patch`. */
  patch?: string;
  /** `'ok'`, or the {@link SinkErrorCode} the call failed with. */
  outcome: 'ok' | SinkErrorCode;
  /** The resourceVersion written, on success. */
  resourceVersion?: string;
  /** When the request was answered, by the sink's clock. */
  at: Date;
}

/**
 * The latest requests, in a ring of parallel arrays: logging a request
 * allocates nothing, because every value it keeps (names, bodies, versions)
 * exists already. Objects are made only when the log is read. Per-request
 * objects that live for thousands of requests get promoted to the old
 * generation and made the sink's writes twice as slow.
 */
export class RequestLog {
  readonly #capacity: number;
  // The arrays grow to the capacity as requests come, then wrap around.
  readonly #api: EventApi[] = [];
  readonly #method: MemorySinkMethod[] = [];
  readonly #namespace: string[] = [];
  readonly #name: string[] = [];
  readonly #patch: Array<string | undefined> = [];
  readonly #outcome: Array<'ok' | SinkErrorCode> = [];
  // Numbers, formatted when read; 0 for none.
  readonly #resourceVersion: number[] = [];
  readonly #at: number[] = [];
  #next = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /**
   * Logs a request, overwriting the oldest when full. `resourceVersion` is
   * the one written, 0 for none.
   */
  add(
    api: EventApi,
    method: MemorySinkMethod,
    namespace: string,
    name: string,
    patch: string | undefined,
    outcome: 'ok' | SinkErrorCode,
    resourceVersion: number,
    at: number,
  ): void {
    if (this.#capacity === 0) return;
    const i = this.#next;
    this.#api[i] = api;
    this.#method[i] = method;
    this.#namespace[i] = namespace;
    this.#name[i] = name;
    this.#patch[i] = patch;
    this.#outcome[i] = outcome;
    this.#resourceVersion[i] = resourceVersion;
    this.#at[i] = at;
    this.#next = i + 1 === this.#capacity ? 0 : i + 1;
    if (this.#size < this.#capacity) this.#size++;
  }

  /** The logged requests through `api` (or all), oldest first. */
  read(api: EventApi | undefined): MemorySinkRequest[] {
    const out: MemorySinkRequest[] = [];
    const start = (this.#next - this.#size + this.#capacity) % this.#capacity;
    for (let k = 0; k < this.#size; k++) {
      const i = (start + k) % this.#capacity;
      const requestApi = this.#api[i] as EventApi;
      if (api !== undefined && requestApi !== api) continue;
      const entry: MemorySinkRequest = {
        api: requestApi,
        method: this.#method[i] as MemorySinkMethod,
        namespace: this.#namespace[i] as string,
        name: this.#name[i] as string,
        outcome: this.#outcome[i] as 'ok' | SinkErrorCode,
        at: new Date(this.#at[i] as number),
      };
      const patch = this.#patch[i];
      if (patch !== undefined) entry.patch = patch;
      const resourceVersion = this.#resourceVersion[i] as number;
      if (resourceVersion !== 0)
        entry.resourceVersion = String(resourceVersion);
      out.push(entry);
    }
    return out;
  }

  /** Forgets every request. */
  clear(): void {
    this.#next = 0;
    this.#size = 0;
    for (const column of [
      this.#api,
      this.#method,
      this.#namespace,
      this.#name,
      this.#patch,
      this.#outcome,
      this.#resourceVersion,
      this.#at,
    ]) {
      column.length = 0;
    }
  }
}
