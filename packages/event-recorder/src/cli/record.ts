import {
  MemoryLogger,
  isSinkError,
  type ObjectReference,
} from '@event-recorder/core';
import { getEventKey } from '@event-recorder/correlator';
import { FileSink, readEvents } from '@event-recorder/sink-file';
import { createEventBroadcaster } from '../createEventBroadcaster.js';
import { CliError } from './errors.js';
import {
  escapeForTerminal,
  objectOf,
  occurrences,
  type Colors,
  type Terminal,
} from './render.js';

/** Options of `event-recorder record`. */
export interface RecordOptions {
  kind: string;
  name: string;
  /** The object's namespace; by default "default", or none for a cluster-scoped kind. */
  namespace?: string;
  apiVersion?: string;
  uid?: string;
  fieldPath?: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  file: string;
  component: string;
  host?: string;
}

// apiVersions of the kinds people record about most; anything else is "v1"
// unless --api-version says otherwise.
const knownApiVersions: Record<string, string> = {
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  Ingress: 'networking.k8s.io/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
};

// Kinds without a namespace; their events go to "default", as client-go does.
const clusterScoped: ReadonlySet<string> = new Set([
  'Node',
  'Namespace',
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'IngressClass',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
]);

/**
 * `event-recorder record`: records one event through a broadcaster with
 * client-go's defaults into a {@link FileSink}. A repeat of the same event
 * (same object, type, reason, message, source) counts up on the stored event,
 * also across runs, since the sink restores its state from the file.
 */
export async function runRecord(
  options: RecordOptions,
  term: Terminal,
  colors: Colors,
): Promise<number> {
  const logger = new MemoryLogger();
  const sink = new FileSink({ path: options.file, fsync: 'always', logger });
  try {
    await sink.open();
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  const broadcaster = createEventBroadcaster({
    logger,
    // A command line should not sit through client-go's 12 tries × 10 s.
    maxTriesPerEvent: 3,
    sleepDurationMs: 200,
  });
  broadcaster.startRecordingToSink(sink, { name: options.file });
  const source =
    options.host === undefined
      ? { component: options.component }
      : { component: options.component, host: options.host };
  const recorder = broadcaster.newRecorder(source);
  const ref: ObjectReference = {
    kind: options.kind,
    apiVersion: options.apiVersion ?? knownApiVersions[options.kind] ?? 'v1',
    name: options.name,
    namespace:
      options.namespace ?? (clusterScoped.has(options.kind) ? '' : 'default'),
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.fieldPath === undefined
      ? {}
      : { fieldPath: options.fieldPath }),
  };
  recorder.event(ref, options.type, options.reason, options.message);
  const report = await broadcaster.shutdown({ timeoutMs: 10_000 });

  if (report.delivered !== 1) {
    const reasons = Object.entries(report.dropped)
      .filter(([, n]) => n > 0)
      .map(([reason]) => reason);
    const why = logger.entries
      .filter((e) => e.level === 'warn' || e.level === 'error')
      .map((e) => {
        const err = e.fields.error;
        const detail =
          isSinkError(err) || err instanceof Error
            ? err.message
            : typeof err === 'string'
              ? err
              : '';
        return detail === '' ? e.message : `${e.message}: ${detail}`;
      })
      .at(-1);
    throw new CliError(
      `the event was not recorded (dropped: ${reasons.join(', ') || 'unknown'})${why === undefined ? '' : `: ${why}`}`,
    );
  }

  // Show the stored state: the count says whether it was a repeat.
  let stored;
  const wanted = {
    source,
    involvedObject: ref,
    type: options.type,
    reason: options.reason,
    message: options.message,
  };
  const key = getEventKey({ metadata: {}, ...wanted });
  for await (const e of readEvents(options.file)) {
    if (getEventKey(e) === key) stored = e;
  }
  const count = stored === undefined ? 1 : occurrences(stored);
  term.out(
    `event/${escapeForTerminal(stored?.metadata.name ?? '')} recorded: ${options.type === 'Warning' ? colors.yellow(options.type) : options.type} ${escapeForTerminal(options.reason)} ${escapeForTerminal(objectOf({ metadata: {}, involvedObject: ref }))} (count ${count})\n`,
  );
  return 0;
}
