import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventsV1Event } from '@event-recorder/core';
import { FileSink, readEvents } from '@event-recorder/sink-file';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const cli = join(packageDir, 'dist', 'cli.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (!entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  // These tests run the built CLI; build it (and what it imports) when stale.
  // A build running in parallel (turbo) may race this one: try twice.
  const stale = (): boolean =>
    !existsSync(cli) ||
    newestSource(join(packageDir, 'dist')) <
      newestSource(join(packageDir, 'src'));
  for (let attempt = 1; stale() && attempt <= 2; attempt++) {
    try {
      execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], {
        cwd: packageDir,
        stdio: 'inherit',
      });
    } catch (error) {
      if (attempt === 2) throw error;
    }
  }
}, 300_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const baseEnv: NodeJS.ProcessEnv = { ...process.env };
delete baseEnv.FORCE_COLOR;
delete baseEnv.NO_COLOR;

function run(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: options.cwd ?? dir,
      env: { ...baseEnv, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'event-recorder-cli-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[/;

function summaryNumber(stdout: string, label: string): number {
  const m = new RegExp(`${label}\\s+(\\d+)`).exec(stdout);
  if (m === null) throw new Error(`no "${label}" in:\n${stdout}`);
  return Number(m[1]);
}

describe('event-recorder CLI', { timeout: 120_000 }, () => {
  it('prints help for every command and exits 0', async () => {
    for (const args of [
      ['--help'],
      ['demo', '--help'],
      ['get', '--help'],
      ['record', '--help'],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: event-recorder/);
    }
    expect((await run(['--help'])).stdout).toMatch(
      /demo[\s\S]*get[\s\S]*record/,
    );
    // The bin is an ES module with a shebang, so `npx event-recorder` runs it.
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(
      true,
    );
  });

  it('exits 2 on usage mistakes, with the reason on stderr', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /Usage:/],
      [['frobnicate'], /unknown command/],
      [['get', 'pods'], /only "events"/],
      [
        ['get', 'events', '-o', 'xml'],
        /Allowed choices are table, wide, json, yaml/,
      ],
      [['get', 'events', '--for', 'web-1'], /--for must be kind\/name/],
      [
        ['get', 'events', '--types', 'Error'],
        /--types takes Normal and Warning/,
      ],
      [['record', '--kind', 'Pod'], /required option '--name <name>'/],
      [
        [
          'record',
          '--kind',
          'Pod',
          '--name',
          'a',
          '--type',
          'Info',
          '--reason',
          'R',
          '--message',
          'm',
        ],
        /Allowed choices are Normal, Warning/,
      ],
      [['demo', '--objects', 'many'], /whole number/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('runs the demo on a fresh directory and reports numbers computed from the file', async () => {
    const r = await run(['demo', '--objects', '4', '--seconds', '200']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+COUNT\s+MESSAGE$/m,
    );
    expect(r.stdout).not.toMatch(ansi);
    expect(r.stderr).toBe(''); // no progress when stderr is not a terminal

    const recorded = summaryNumber(r.stdout, 'occurrences recorded');
    const writes = summaryNumber(r.stdout, 'writes that reached events.jsonl');
    const stored = summaryNumber(r.stdout, 'events stored in the file');
    const spam = summaryNumber(r.stdout, 'dropped: spam');
    const lines = (await readFile(join(dir, 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n');
    expect(lines).toHaveLength(writes);
    const events = [];
    for await (const e of readEvents(join(dir, 'events.jsonl'))) events.push(e);
    expect(events).toHaveLength(stored);
    expect(recorded).toBeGreaterThan(writes);
    expect(spam).toBeGreaterThan(0);
    expect(r.stdout).toContain(`(${(recorded / writes).toFixed(1)}× fewer)`);

    // The crash loop became one event with a count; the rollout and the burst
    // were aggregated.
    const backOff = events.filter((e) => e.reason === 'BackOff');
    expect(backOff).toHaveLength(1);
    expect(backOff[0]!.count).toBeGreaterThan(1);
    expect(
      events.some((e) =>
        e.message?.startsWith('(combined from similar events)'),
      ),
    ).toBe(true);
    // One table row per stored event.
    const rows = r.stdout.split('\n\nSummary')[0]!.trim().split('\n').slice(1);
    expect(rows).toHaveLength(stored);
  });

  it('continues counting when the demo runs again on the same file', async () => {
    const first = await run(['demo', '--seconds', '60']);
    expect(first.code).toBe(0);
    const backOffCount = async (): Promise<number> => {
      for await (const e of readEvents(join(dir, 'events.jsonl')))
        if (e.reason === 'BackOff') return e.count ?? 0;
      return 0;
    };
    const once = await backOffCount();
    const second = await run(['demo', '--seconds', '60', '--verbose']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(
      /events stored in the file\s+\d+ \(\d+ restored from an earlier run\)/,
    );
    expect(summaryNumber(second.stdout, 'dropped: final')).toBe(0);
    expect(second.stderr).toBe('');
    expect(await backOffCount()).toBe(2 * once);
  });

  it('shows progress on stderr when asked', async () => {
    const r = await run(['demo', '--seconds', '60', '--progress']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/crash loop/);
    expect(r.stderr).toMatch(/simulated 60 s/);
  });

  it('filters and formats get events like kubectl', async () => {
    expect((await run(['demo', '--seconds', '60'])).code).toBe(0);
    const all = JSON.parse(
      (await run(['get', 'events', '-o', 'json'])).stdout,
    ) as {
      kind: string;
      items: Array<{
        type: string;
        involvedObject: { kind: string; name: string };
        lastTimestamp: string;
      }>;
    };
    expect(all.kind).toBe('List');
    expect(all.items.length).toBeGreaterThan(5);
    expect(all.items[0]!.lastTimestamp).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
    );

    const warnings = await run(['get', 'events', '--types', 'Warning']);
    const warningRows = warnings.stdout.trim().split('\n').slice(1);
    expect(warningRows.length).toBe(
      all.items.filter((e) => e.type === 'Warning').length,
    );
    for (const row of warningRows)
      expect(row).toMatch(/^demo\s+\S+\s+Warning\s/);

    const yaml = parseYaml(
      (await run(['get', 'events', '-o', 'yaml', '--for', 'deployment/web']))
        .stdout,
    ) as {
      items: Array<{ involvedObject: { kind: string } }>;
    };
    expect(yaml.items.length).toBeGreaterThan(0);
    for (const e of yaml.items)
      expect(e.involvedObject.kind).toBe('Deployment');

    const other = await run(['get', 'events', '-n', 'nowhere']);
    expect(other.code).toBe(0);
    expect(other.stderr).toBe('No events found in nowhere namespace.\n');

    const wide = await run(['get', 'events', '-o', 'wide', '-n', 'demo']);
    expect(wide.stdout.split('\n')[0]).toMatch(
      /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+SUBOBJECT\s+SOURCE\s+COUNT\s+MESSAGE\s+FIRST SEEN\s+NAME$/,
    );
  });

  it('shows events written through events.k8s.io/v1 in the same columns', async () => {
    const sink = new FileSink<EventsV1Event>({
      path: join(dir, 'events.jsonl'),
      api: 'events.k8s.io/v1',
    });
    await sink.create({
      metadata: { name: 'web-1.a', namespace: 'shop' },
      eventTime: new Date(),
      regarding: {
        kind: 'Pod',
        apiVersion: 'v1',
        name: 'web-1',
        namespace: 'shop',
      },
      reportingController: 'example.com/ctl',
      reportingInstance: 'ctl-1',
      action: 'Restart',
      reason: 'BackOff',
      note: 'Back-off restarting web',
      type: 'Warning',
    });
    await sink.close();
    const r = await run(['get', 'events', '--for', 'pod/web-1']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toMatch(
      /^shop\s+\S+\s+Warning\s+BackOff\s+pod\/web-1\s+1\s+Back-off restarting web$/,
    );
  });

  it('counts repeats of a recorded event on one stored event, across runs', async () => {
    const args = [
      'record',
      '--kind',
      'Pod',
      '--name',
      'web-1',
      '-n',
      'shop',
      '--type',
      'Warning',
      '--reason',
      'BackOff',
      '--message',
      'Back-off restarting',
    ];
    const first = await run(args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /recorded: Warning BackOff pod\/web-1 \(count 1\)/,
    );
    const second = await run(args);
    expect(second.stdout).toMatch(/\(count 2\)/);
    const third = await run(args);
    expect(third.stdout).toMatch(/\(count 3\)/);
    const other = await run([...args.slice(0, -1), 'something else']);
    expect(other.stdout).toMatch(/\(count 1\)/);

    const events = [];
    for await (const e of readEvents(join(dir, 'events.jsonl'))) events.push(e);
    expect(events.map((e) => [e.message, e.count])).toEqual([
      ['Back-off restarting', 3],
      ['something else', 1],
    ]);
  });

  it('records events about cluster-scoped objects in the default namespace, as client-go', async () => {
    const r = await run([
      'record',
      '--kind',
      'Node',
      '--name',
      'node-1',
      '--type',
      'Warning',
      '--reason',
      'NodeNotReady',
      '--message',
      'Node is not ready',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [event] = await (async () => {
      const out = [];
      for await (const e of readEvents(join(dir, 'events.jsonl'))) out.push(e);
      return out;
    })();
    expect(event!.metadata.namespace).toBe('default');
    expect(event!.involvedObject.namespace ?? '').toBe('');
    expect(event!.involvedObject.apiVersion).toBe('v1');
  });

  it('escapes control characters of untrusted messages before they reach the terminal', async () => {
    const evil = 'ok\u001b[2J\u001b]0;pwned\u0007\u202eevil\nnext';
    const r = await run([
      'record',
      '--kind',
      'Pod',
      '--name',
      'web-1',
      '--type',
      'Normal',
      '--reason',
      'Evil',
      '--message',
      evil,
    ]);
    expect(r.code).toBe(0);
    for (const format of ['table', 'wide', 'json', 'yaml']) {
      const out = (await run(['get', 'events', '-o', format])).stdout;
      expect(out, format).not.toMatch(
        // eslint-disable-next-line no-control-regex
        /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/,
      );
    }
    // Arguments echoed back in usage errors are escaped too.
    const usage = await run(['get', 'events', '--bogus\u001b[31m']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("'--bogus\\x1b[31m'");
    expect(usage.stderr).not.toContain('\u001b');
    const table = (await run(['get', 'events'])).stdout;
    expect(table).toContain('ok\\x1b[2J\\x1b]0;pwned\\x07\\u202eevil\\nnext');
    // JSON and YAML still carry the exact message.
    const json = JSON.parse(
      (await run(['get', 'events', '-o', 'json'])).stdout,
    ) as { items: Array<{ message: string }> };
    expect(json.items[0]!.message).toBe(evil);
    const yaml = parseYaml(
      (await run(['get', 'events', '-o', 'yaml'])).stdout,
    ) as { items: Array<{ message: string }> };
    expect(yaml.items[0]!.message).toBe(evil);
  });

  it('colours only when asked: never with NO_COLOR or on a pipe', async () => {
    await run([
      'record',
      '--kind',
      'Pod',
      '--name',
      'web-1',
      '--type',
      'Warning',
      '--reason',
      'BackOff',
      '--message',
      'm',
    ]);
    expect((await run(['get', 'events'])).stdout).not.toMatch(ansi);
    expect(
      (await run(['get', 'events'], { env: { FORCE_COLOR: '1' } })).stdout,
    ).toMatch(ansi);
    expect(
      (
        await run(['get', 'events'], {
          env: { FORCE_COLOR: '1', NO_COLOR: '1' },
        })
      ).stdout,
    ).not.toMatch(ansi);
    expect(
      (
        await run(['--no-color', 'get', 'events'], {
          env: { FORCE_COLOR: '1' },
        })
      ).stdout,
    ).not.toMatch(ansi);
  });

  it('exits 1 with a clear message when the file cannot be read or written', async () => {
    const missing = await run(['get', 'events', '-f', 'nope.jsonl']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no events file at "nope.jsonl"/);
    const unwritable = await run([
      'record',
      '-f',
      join(dir, 'no', 'such', 'dir', 'e.jsonl'),
      '--kind',
      'Pod',
      '--name',
      'a',
      '--type',
      'Normal',
      '--reason',
      'R',
      '--message',
      'm',
    ]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(
      /the directory ".*no\/such\/dir" does not exist/,
    );
    const demoInDir = await run(['demo', '-f', dir]);
    expect(demoInDir.code).toBe(1);
    expect(demoInDir.stderr).toMatch(/EISDIR/);
  });

  it('follows the file with --watch and shows events appended by another process', async () => {
    await run([
      'record',
      '--kind',
      'Pod',
      '--name',
      'web-1',
      '--type',
      'Normal',
      '--reason',
      'Started',
      '--message',
      'first',
    ]);
    const watcher = spawn(process.execPath, [cli, 'get', 'events', '--watch'], {
      cwd: dir,
      env: baseEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const waiters: Array<() => void> = [];
    watcher.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      for (const w of waiters.splice(0)) w();
    });
    const until = async (text: string): Promise<void> => {
      while (!stdout.includes(text))
        await new Promise<void>((r) => waiters.push(r));
    };
    const exited = new Promise<number | null>((r) => watcher.on('close', r));
    try {
      await until('first');
      const r = await run([
        'record',
        '--kind',
        'Pod',
        '--name',
        'web-2',
        '--type',
        'Warning',
        '--reason',
        'Failed',
        '--message',
        'second',
      ]);
      expect(r.code).toBe(0);
      await until('second');
      await run([
        'record',
        '--kind',
        'Pod',
        '--name',
        'web-2',
        '--type',
        'Warning',
        '--reason',
        'Failed',
        '--message',
        'second',
      ]);
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (stdout.match(/Failed\s+pod\/web-2\s+2\s+second/)) resolve();
          else waiters.push(check);
        };
        check();
      });
    } finally {
      watcher.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+LAST SEEN/);
    expect(
      lines
        .slice(1)
        .map((l) => l.replace(/\s+/g, ' ').split(' ').slice(3, 6).join(' ')),
    ).toEqual([
      'Started pod/web-1 1',
      'Failed pod/web-2 1',
      'Failed pod/web-2 2',
    ]);
  });
});
