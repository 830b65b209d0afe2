import type { ObjectReference } from './event.js';
import { InvalidObjectError } from './sinkError.js';

/**
 * Anything an event can be about: a Kubernetes object with `apiVersion`, `kind`
 * and `metadata` (an `@kubernetes/client-node` model such as `V1Pod`, or a
 * plain object), or an {@link ObjectReference}.
 */
export type ReferenceableObject = KubernetesObjectLike | ObjectReference;

/** The part of a Kubernetes object that a reference is built from. */
export interface KubernetesObjectLike {
  /** `group/version`, or `version` for the core group. */
  apiVersion?: string;
  /** The kind, such as `Pod`. */
  kind?: string;
  /** The object's metadata. */
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(
  source: Record<string, unknown>,
  key: string,
  what: string,
): string | undefined {
  const v = source[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    throw new InvalidObjectError(
      `${what}.${key} must be a string, got ${typeof v}`,
    );
  }
  return v;
}

/**
 * Builds the {@link ObjectReference} for an object, as client-go's
 * `reference.GetReference`:
 *
 * - An object with `metadata` gives `{kind, apiVersion, name, namespace, uid,
 *   resourceVersion}`.
 * - An `ObjectReference` (no `metadata`) is copied as it is, `fieldPath` and
 *   `resourceVersion` included.
 *
 * Unlike client-go there is no scheme to look a kind up in, so `kind` and
 * `apiVersion` are required.
 *
 * @throws {@link InvalidObjectError} when `object` is not an object, or lacks
 *   `kind` or `apiVersion`, or has a field of the wrong type.
 */
export function getReference(object: unknown): ObjectReference {
  if (!isRecord(object)) {
    throw new InvalidObjectError(
      object === null || object === undefined
        ? "can't reference a nil object"
        : `can't reference a ${typeof object}`,
    );
  }
  const kind = optionalString(object, 'kind', 'object');
  const apiVersion = optionalString(object, 'apiVersion', 'object');
  if (!kind)
    throw new InvalidObjectError(
      'object has no kind; set kind (for example "Pod")',
    );
  if (!apiVersion) {
    throw new InvalidObjectError(
      `object of kind ${kind} has no apiVersion; set apiVersion (for example "v1")`,
    );
  }
  const ref: ObjectReference = { kind, apiVersion };
  const metadata = object['metadata'];
  if (metadata !== undefined && metadata !== null) {
    if (!isRecord(metadata))
      throw new InvalidObjectError('object.metadata must be an object');
    const name = optionalString(metadata, 'name', 'metadata');
    const namespace = optionalString(metadata, 'namespace', 'metadata');
    const uid = optionalString(metadata, 'uid', 'metadata');
    const resourceVersion = optionalString(
      metadata,
      'resourceVersion',
      'metadata',
    );
    if (name !== undefined) ref.name = name;
    if (namespace !== undefined) ref.namespace = namespace;
    if (uid !== undefined) ref.uid = uid;
    if (resourceVersion !== undefined) ref.resourceVersion = resourceVersion;
    return ref;
  }
  for (const key of [
    'name',
    'namespace',
    'uid',
    'resourceVersion',
    'fieldPath',
  ] as const) {
    const v = optionalString(object, key, 'reference');
    if (v !== undefined) ref[key] = v;
  }
  return ref;
}

/**
 * Builds a reference to a part of an object, as client-go's
 * `GetPartialReference`: {@link getReference} with `fieldPath` set, such as
 * `spec.containers{web}`.
 */
export function getPartialReference(
  object: unknown,
  fieldPath: string,
): ObjectReference {
  return { ...getReference(object), fieldPath };
}
