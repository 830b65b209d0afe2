import { setTimeout as delay } from 'node:timers/promises';
import {
  FakeClock,
  MemoryLogger,
  dropReasons,
  type EventRecorder,
  type KubernetesObjectLike,
} from '@event-recorder/core';
import { FileSink, readEvents } from '@event-recorder/sink-file';
import type { EventBroadcaster } from '@event-recorder/broadcaster';
import { createEventBroadcaster } from '../createEventBroadcaster.js';
import { CliError } from './errors.js';
import {
  escapeForTerminal,
  eventTable,
  renderTable,
  sortByLastSeen,
  type Colors,
  type Terminal,
} from './render.js';

/** Options of `event-recorder demo`. */
export interface DemoOptions {
  file: string;
  objects: number;
  seconds: number;
  progress: boolean;
  /** Print the pipeline's warnings (drops, failed writes) on stderr. */
  verbose: boolean;
  colors: Colors;
  errColors: Colors;
}

type Scene = () => void | Promise<void>;

/** A tiny deterministic generator, so every run tells the same story. */
function randomSuffix(seed: number, length: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let x = (seed * 2654435761) >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += alphabet[(x >>> 16) % alphabet.length];
  }
  return out;
}

/**
 * Waits until the broadcaster has delivered everything, on a fake clock. A
 * write waiting for a retry waits on that clock, so when the pipeline does
 * not settle in real time the clock is nudged on.
 */
async function settle(
  broadcaster: EventBroadcaster,
  clock: FakeClock,
): Promise<void> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const stop = new AbortController();
    const idle = await Promise.race([
      broadcaster.flush({ timeoutMs: 3_600_000 }).then(() => true),
      delay(250, false, { signal: stop.signal }).catch(() => false),
    ]);
    stop.abort();
    if (idle) return;
    clock.step(1000);
  }
}

/**
 * `event-recorder demo`: a simulated controller through the real pipeline
 * (recorder → broadcaster → correlator → FileSink) on a fake clock, then the
 * events as `kubectl get events` shows them, then what correlation saved.
 */
export async function runDemo(
  options: DemoOptions,
  term: Terminal,
): Promise<number> {
  const { objects: n, seconds } = options;
  const realStart = Date.now();
  // The story ends now, so ages in the table read naturally. Event names
  // come from the time to the millisecond, so a rerun never reuses them.
  const clock = new FakeClock(realStart - seconds * 1000);
  const logger = new MemoryLogger();
  const sink = new FileSink({ path: options.file, clock, logger });
  try {
    await sink.open();
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  const restored = (await sink.restoredEvents()).length;
  const broadcaster = createEventBroadcaster({ clock, logger });
  broadcaster.startRecordingToSink(sink, { name: options.file });

  const c = options.errColors;
  const progress = (text: string): void => {
    if (options.progress) term.err(`${c.dim('demo')} ${text}\n`);
  };
  const at = (t: number): string => c.cyan(`[+${String(t).padStart(4)}s]`);

  const namespace = 'demo';
  const deployment: KubernetesObjectLike = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace,
      uid: 'd0000000-0000-4000-8000-000000000001',
    },
  };
  const oldRs = `web-${randomSuffix(1, 9)}`;
  const newRs = `web-${randomSuffix(2, 9)}`;
  const replicaSet = (name: string, i: number): KubernetesObjectLike => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace,
      uid: `r0000000-0000-4000-8000-00000000000${i}`,
    },
  });
  const pods = Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${oldRs}-${randomSuffix(100 + i, 5)}`,
      namespace,
      uid: `p0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    },
  }));

  const controller = broadcaster.newRecorder({
    component: 'deployment-controller',
  });
  const rsController = broadcaster.newRecorder({
    component: 'replicaset-controller',
  });
  const scheduler = broadcaster.newRecorder({ component: 'default-scheduler' });
  const kubelets = new Map<string, EventRecorder>();
  const kubelet = (i: number): EventRecorder => {
    const host = `node-${(i % 3) + 1}`;
    let r = kubelets.get(host);
    if (r === undefined) {
      r = broadcaster.newRecorder({ component: 'kubelet', host });
      kubelets.set(host, r);
    }
    return r;
  };

  const timeline = new Map<number, Scene[]>();
  const schedule = (t: number, scene: Scene): void => {
    const list = timeline.get(t) ?? [];
    list.push(scene);
    timeline.set(t, list);
  };

  /**
   * Emits `count` events a few milliseconds apart, each delivered before the
   * next, as a real clock would space them, so names made from the time
   * never collide.
   */
  const spread = async (
    count: number,
    emit: (k: number) => void,
    stepMs = Math.max(1, Math.floor(800 / count)),
  ): Promise<void> => {
    for (let k = 0; k < count; k++) {
      emit(k);
      await settle(broadcaster, clock);
      if (k < count - 1) clock.step(stepMs);
    }
  };

  // 1. The Deployment comes up: n Pods scheduled, pulled, started.
  schedule(0, async () => {
    progress(`${at(0)} deployment/web scales up to ${n} pods`);
    controller.eventf(
      deployment,
      'Normal',
      'ScalingReplicaSet',
      'Scaled up replica set %s from 0 to %d',
      oldRs,
      n,
    );
    await spread(n, (i) =>
      rsController.eventf(
        replicaSet(oldRs, 1),
        'Normal',
        'SuccessfulCreate',
        'Created pod: %s',
        pods[i]!.metadata.name,
      ),
    );
  });
  schedule(1, () =>
    spread(n, (i) =>
      scheduler.eventf(
        pods[i]!,
        'Normal',
        'Scheduled',
        'Successfully assigned %s/%s to node-%d',
        namespace,
        pods[i]!.metadata.name,
        (i % 3) + 1,
      ),
    ),
  );
  schedule(2, () =>
    spread(n, (i) =>
      kubelet(i).eventf(
        pods[i]!,
        'Normal',
        'Pulling',
        'Pulling image "%s"',
        'nginx:1.27',
      ),
    ),
  );
  schedule(5, () =>
    spread(n, (i) => {
      const pod = pods[i]!;
      kubelet(i).eventf(
        pod,
        'Normal',
        'Pulled',
        'Successfully pulled image "%s" in %dms',
        'nginx:1.27',
        2400 + 37 * i,
      );
      kubelet(i).eventf(
        pod,
        'Normal',
        'Created',
        'Created container: %s',
        'web',
      );
      kubelet(i).eventf(
        pod,
        'Normal',
        'Started',
        'Started container %s',
        'web',
      );
    }),
  );

  // 2. A crash loop: the first Pod's container keeps failing; kubelet reports
  // the same Warning every 2 s until the end.
  const stormStart = Math.max(8, Math.floor(seconds * 0.05));
  const crashing = pods[0]!;
  schedule(stormStart, () =>
    progress(
      `${at(stormStart)} pod/${crashing.metadata.name} enters a crash loop: an identical BackOff Warning every 2 s`,
    ),
  );
  for (let t = stormStart; t <= seconds; t += 2) {
    schedule(t, () =>
      kubelet(0).eventf(
        crashing,
        'Warning',
        'BackOff',
        'Back-off restarting failed container %s in pod %s_%s(%s)',
        'web',
        crashing.metadata.name,
        namespace,
        crashing.metadata.uid,
      ),
    );
  }

  // 3. A rollout: the Deployment moves to a new ReplicaSet one Pod at a time;
  // the scaling messages all differ and get aggregated past 10 of them.
  const steps = Math.max(n, 6);
  const rolloutStart = Math.max(stormStart + 4, Math.floor(seconds * 0.3));
  schedule(rolloutStart, () =>
    progress(
      `${at(rolloutStart)} deployment/web rolls out ${newRs}: ${steps * 2} scaling events with different messages`,
    ),
  );
  for (let k = 1; k <= steps; k++) {
    const t = rolloutStart + 2 * k;
    schedule(t, () => {
      controller.eventf(
        deployment,
        'Normal',
        'ScalingReplicaSet',
        'Scaled up replica set %s from %d to %d',
        newRs,
        k - 1,
        k,
      );
      controller.eventf(
        deployment,
        'Normal',
        'ScalingReplicaSet',
        'Scaled down replica set %s from %d to %d',
        oldRs,
        steps - k + 1,
        steps - k,
      );
      rsController.eventf(
        replicaSet(newRs, 2),
        'Normal',
        'SuccessfulCreate',
        'Created pod: %s-%s',
        newRs,
        randomSuffix(200 + k, 5),
      );
    });
  }

  // 4. A burst: a readiness probe goes haywire and reports 80 failures within
  // one second; the spam filter lets 25 through.
  const burstAt = Math.max(
    rolloutStart + 2 * steps + 2,
    Math.floor(seconds * 0.6),
  );
  const flapping = pods[Math.min(1, n - 1)]!;
  const burst = 80;
  schedule(burstAt, async () => {
    progress(
      `${at(burstAt)} pod/${flapping.metadata.name} bursts ${burst} readiness-probe Warnings in one second`,
    );
    await spread(
      burst,
      (k) =>
        kubelet(Math.min(1, n - 1)).eventf(
          flapping,
          'Warning',
          'Unhealthy',
          'Readiness probe failed: Get "http://10.244.%d.%d:8080/ready": context deadline exceeded (attempt %d)',
          1,
          10 + (k % 200),
          k + 1,
        ),
      12,
    );
  });

  const last = Math.max(seconds, burstAt);
  const origin = clock.now().getTime();
  for (let t = 0; t <= last; t++) {
    // Scenes spread over their second; time never goes back.
    clock.setTime(Math.max(clock.now().getTime(), origin + t * 1000));
    for (const scene of timeline.get(t) ?? []) await scene();
    await settle(broadcaster, clock);
  }
  const report = await broadcaster.shutdown({ timeoutMs: 60_000 });
  const sinkStats = sink.stats();
  if (options.verbose)
    for (const entry of logger.entries)
      if (entry.level === 'warn' || entry.level === 'error')
        term.err(
          `${c.yellow(entry.level)} ${escapeForTerminal(entry.message)} ${escapeForTerminal(JSON.stringify(entry.fields, (_k, v: unknown) => (v instanceof Error ? v.message : v)))}\n`,
        );
  progress(
    `simulated ${last} s in ${((Date.now() - realStart) / 1000).toFixed(1)} s of real time`,
  );

  // What the file now holds, as kubectl shows it.
  const events = [];
  for await (const e of readEvents(options.file)) events.push(e);
  const sorted = sortByLastSeen(events);
  term.out(
    renderTable(
      eventTable(sorted, {
        now: clock.now(),
        wide: false,
        namespaces: false,
        colors: options.colors,
      }),
    ) + '\n\n',
  );

  const writes = sinkStats.lines;
  const factor =
    writes === 0 ? '' : ` (${(report.recorded / writes).toFixed(1)}× fewer)`;
  const rows: Array<[string, string]> = [
    ['occurrences recorded', String(report.recorded)],
    [`writes that reached ${options.file}`, `${writes}${factor}`],
    [
      'events stored in the file',
      `${sinkStats.events}${restored > 0 ? ` (${restored} restored from an earlier run)` : ''}`,
    ],
    ...dropReasons.map((r): [string, string] => [
      `dropped: ${r}`,
      String(report.dropped[r]),
    ]),
  ];
  term.out(options.colors.bold('Summary') + '\n');
  term.out(
    renderTable(
      { head: ['', ''], rows: rows.map(([k, v]) => [`  ${k}`, v]) },
      { withHead: false },
    ) + '\n',
  );
  term.out(
    `\nList them again with: event-recorder get events -f ${options.file}\n`,
  );
  return report.pending === 0 ? 0 : 1;
}
