import {
  InvalidOptionError,
  RequestConstructionError,
  eventFieldLimits,
  formatMicroTime,
  parseTime,
  truncateUtf8,
} from '@event-recorder/core';
import type { Logger } from '@event-recorder/core';
import type * as ClientNodeModule from '@kubernetes/client-node';
import type { ConfigurationOptions, KubeConfig } from '@kubernetes/client-node';

type ClientNode = typeof ClientNodeModule;

let clientNode: Promise<ClientNode> | undefined;

/**
 * Loads `@kubernetes/client-node` on first use. It is an optional peer, so
 * importing this package (for example through the umbrella package) must not
 * fail where it is not installed.
 */
export function loadClientNode(): Promise<ClientNode> {
  clientNode ??= import('@kubernetes/client-node');
  return clientNode;
}

/** The request options that send a body as a strategic-merge patch. */
export async function strategicMergePatchOptions(): Promise<ConfigurationOptions> {
  const k8s = await loadClientNode();
  return k8s.setHeaderOptions(
    'Content-Type',
    k8s.PatchStrategy.StrategicMergePatch,
  );
}

/** Where a sink gets its API client: a KubeConfig, or a ready client. */
export function checkSource(
  sinkName: string,
  options: { kubeConfig?: KubeConfig; api?: unknown },
): void {
  const count =
    Number(options.kubeConfig !== undefined) +
    Number(options.api !== undefined);
  if (count !== 1) {
    throw new InvalidOptionError(
      `${sinkName}: pass exactly one of \`kubeConfig\` or \`api\``,
    );
  }
}

/** The namespaces the API server accepts for events about cluster-scoped objects. */
export const clusterScopedNamespaces = ['default', 'kube-system'] as const;

/** Checks the `clusterScopedNamespace` option. */
export function checkClusterScopedNamespace(
  sinkName: string,
  value: string,
): void {
  if (!(clusterScopedNamespaces as readonly string[]).includes(value)) {
    throw new InvalidOptionError(
      `${sinkName}: clusterScopedNamespace must be "default" or "kube-system": ` +
        `the API server rejects events about cluster-scoped objects in any other namespace ` +
        `(got "${value}")`,
    );
  }
}

/** Counters a Kubernetes sink keeps about what it fixed or refused locally. */
export interface KubernetesSinkStats {
  /** Fields truncated to the server's limits (note/message, reason, action, reportingInstance). */
  truncatedFields: number;
  /** Events refused before any request because the server would reject them. */
  rejectedLocally: number;
  /** Writes the server refused with 403 Forbidden. */
  forbidden: number;
}

/** Truncates a field to its byte limit, counting and logging when it does. */
export function fitField(
  value: string | undefined,
  field: 'note' | 'reason' | 'action' | 'reportingInstance',
  stats: KubernetesSinkStats,
  logger: Logger,
  where: string,
): string | undefined {
  if (value === undefined) return undefined;
  const limit = eventFieldLimits[field];
  const { value: fitted, truncated } = truncateUtf8(value, limit);
  if (truncated) {
    stats.truncatedFields += 1;
    logger.warn('Event field truncated to the API server limit', {
      event: where,
      field,
      limitBytes: limit,
    });
  }
  return fitted;
}

/**
 * Parses the patch body and normalises what the server would reject: series
 * times to MicroTime (6 fractional digits), and an over-long message on an
 * event that has eventTime.
 */
export function preparePatch(
  patch: string,
  where: string,
  fit: (message: string) => string,
): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(patch);
  } catch (error) {
    throw new RequestConstructionError(
      `patch event ${where}: the patch is not JSON`,
      {
        cause: error,
      },
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestConstructionError(
      `patch event ${where}: a strategic-merge patch must be a JSON object`,
    );
  }
  const out = { ...(body as Record<string, unknown>) };
  const series = out['series'];
  if (typeof series === 'object' && series !== null) {
    const s = { ...(series as Record<string, unknown>) };
    const t = s['lastObservedTime'];
    if (typeof t === 'string' && !/\.\d{6}(Z|[+-]\d{2}:\d{2})$/.test(t)) {
      const parsed = parseTime(t);
      if (parsed !== undefined) s['lastObservedTime'] = formatMicroTime(parsed);
    }
    out['series'] = s;
  }
  if (typeof out['message'] === 'string') out['message'] = fit(out['message']);
  return out;
}
