import {
  Command,
  CommanderError,
  InvalidArgumentError,
  Option,
} from 'commander';
import { runDemo } from './demo.js';
import { exitCodes, UsageError } from './errors.js';
import { runGetEvents } from './getEvents.js';
import { runRecord } from './record.js';
import { colorsFor, escapeForTerminal, type Terminal } from './render.js';

/** Escapes each line of commander's output: it echoes arguments as given. */
function escapeLines(text: string): string {
  return text.split('\n').map(escapeForTerminal).join('\n');
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max)
      throw new InvalidArgumentError(
        `must be a whole number from ${min} to ${max}.`,
      );
    return n;
  };
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves with
 * the exit code. Never throws; never calls `process.exit`.
 */
export async function main(
  argv: string[],
  term: Terminal,
  signal?: AbortSignal,
): Promise<number> {
  let code: number = exitCodes.ok;
  const program = new Command();
  program
    .name('event-recorder')
    .description(
      'Record and inspect Kubernetes-style events in a JSON Lines file, through the same pipeline (correlation, de-duplication, spam filter) as client-go.',
    )
    .version('0.1.0', '-V, --version', 'print the version')
    .option('--no-color', 'never colour the output (also NO_COLOR=1)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => term.out(escapeLines(s)),
      writeErr: (s) => term.err(escapeLines(s)),
    });

  const colorFlag = (): boolean =>
    program.opts<{ color: boolean }>().color ?? true;

  const run = async (action: () => Promise<number>): Promise<void> => {
    try {
      code = await action();
    } catch (error) {
      if (error instanceof UsageError) {
        term.err(`error: ${escapeForTerminal(error.message)}\n`);
        code = exitCodes.usage;
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      term.err(`error: ${escapeForTerminal(message)}\n`);
      code = exitCodes.failure;
    }
  };

  program
    .command('demo')
    .description(
      'Simulate a controller (Pods, a Deployment, a crash loop, a rollout, a burst) through the real pipeline into a file sink, on a fake clock, then show the events and what correlation saved.',
    )
    .option('-f, --file <path>', 'the JSON Lines file to write', 'events.jsonl')
    .option(
      '--objects <n>',
      'how many Pods the Deployment has',
      integer(1, 500),
      3,
    )
    .option(
      '--seconds <s>',
      'how many seconds of (fake) time to simulate',
      integer(20, 86_400),
      300,
    )
    .option(
      '--progress',
      'show progress on stderr even when it is not a terminal',
    )
    .option(
      '--verbose',
      "print the pipeline's warnings (drops, failed writes) on stderr",
    )
    .action(
      async (opts: {
        file: string;
        objects: number;
        seconds: number;
        progress?: boolean;
        verbose?: boolean;
      }) => {
        await run(() =>
          runDemo(
            {
              file: opts.file,
              objects: opts.objects,
              seconds: opts.seconds,
              progress: opts.progress === true || term.errIsTTY,
              verbose: opts.verbose === true,
              colors: colorsFor(term.outIsTTY, term.env, colorFlag()),
              errColors: colorsFor(term.errIsTTY, term.env, colorFlag()),
            },
            term,
          ),
        );
      },
    );

  const get = program
    .command('get')
    .description('Display events, as kubectl get does.')
    .argument('<resource>', 'what to get: events (or event, ev)')
    .addOption(
      new Option('-f, --file <path>', 'the JSON Lines file to read').default(
        'events.jsonl',
      ),
    )
    .option('-n, --namespace <ns>', 'only events in this namespace')
    .option(
      '--for <kind/name>',
      'only events about this object, such as pod/web-1',
    )
    .option(
      '--types <types>',
      'only these types, comma-separated: Normal, Warning',
    )
    .addOption(
      new Option('-o, --output <format>', 'the output format')
        .choices(['table', 'wide', 'json', 'yaml'])
        .default('table'),
    )
    .option(
      '-w, --watch',
      'after listing, keep printing events as they are written (across rotation); stop with Ctrl-C',
    )
    .action(
      async (
        resource: string,
        opts: {
          file: string;
          namespace?: string;
          for?: string;
          types?: string;
          output: 'table' | 'wide' | 'json' | 'yaml';
          watch?: boolean;
        },
      ) => {
        await run(() => {
          if (!['events', 'event', 'ev'].includes(resource))
            throw new UsageError(
              `unknown resource "${resource}": only "events" can be listed`,
            );
          return runGetEvents(
            {
              file: opts.file,
              namespace: opts.namespace,
              forObject: opts.for,
              types: opts.types,
              output: opts.output,
              watch: opts.watch === true,
              colors: colorsFor(term.outIsTTY, term.env, colorFlag()),
              signal,
            },
            term,
          );
        });
      },
    );
  get.showHelpAfterError('(run with --help for usage)');

  program
    .command('record')
    .description(
      'Record one event through the pipeline into the file. Repeats of the same event count up on one stored event, across runs.',
    )
    .requiredOption('--kind <kind>', 'the kind of the object, such as Pod')
    .requiredOption('--name <name>', 'the name of the object')
    .option(
      '-n, --namespace <ns>',
      'the namespace of the object (default: "default", none for cluster-scoped kinds such as Node)',
    )
    .option(
      '--api-version <v>',
      'the object\'s apiVersion (inferred for common kinds, else "v1")',
    )
    .option('--uid <uid>', "the object's uid")
    .option(
      '--field-path <path>',
      'the part of the object, such as spec.containers{web}',
    )
    .addOption(
      new Option('--type <type>', 'the event type')
        .choices(['Normal', 'Warning'])
        .makeOptionMandatory(),
    )
    .requiredOption(
      '--reason <reason>',
      'a short UpperCamelCase reason, such as BackOff',
    )
    .requiredOption('--message <message>', 'a human-readable message')
    .option(
      '-f, --file <path>',
      'the JSON Lines file to append to',
      'events.jsonl',
    )
    .option(
      '--component <name>',
      'the reporting component',
      'event-recorder-cli',
    )
    .option('--host <host>', 'the reporting host')
    .action(
      async (opts: {
        kind: string;
        name: string;
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
      }) => {
        await run(() =>
          runRecord(
            opts,
            term,
            colorsFor(term.outIsTTY, term.env, colorFlag()),
          ),
        );
      },
    );

  for (const command of program.commands) {
    command.exitOverride();
    command.configureOutput({
      writeOut: (s) => term.out(escapeLines(s)),
      writeErr: (s) => term.err(escapeLines(s)),
    });
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError)
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    const message = error instanceof Error ? error.message : String(error);
    term.err(`error: ${escapeForTerminal(message)}\n`);
    return exitCodes.failure;
  }
  return code;
}
