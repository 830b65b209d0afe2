/** Structured key/values attached to a log line. */
export type LogFields = Record<string, unknown>;

/** The severity of a log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The logger Event Recorder writes its own diagnostics to. It matches the
 * shape of pino, bunyan and winston child loggers closely enough that a thin
 * adapter suffices; {@link createConsoleLogger} writes JSON lines to stderr.
 */
export interface Logger {
  /** Detail for debugging. */
  debug(message: string, fields?: LogFields): void;
  /** Normal operation. */
  info(message: string, fields?: LogFields): void;
  /** Something was dropped or degraded. */
  warn(message: string, fields?: LogFields): void;
  /** Something failed and needs attention. */
  error(message: string, fields?: LogFields): void;
}

/** A logger that discards everything. */
export const noopLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

const levelRank: Record<LogLevel, number> = {
  debug: 0,
  info: 1,
  warn: 2,
  error: 3,
};

/** Options for {@link createConsoleLogger}. */
export interface ConsoleLoggerOptions {
  /**
   * The lowest level written.
   * @defaultValue `'info'`
   */
  level?: LogLevel;
  /**
   * Where lines go.
   * @defaultValue a function writing to `process.stderr`
   */
  write?: (line: string) => void;
  /** Fields added to every line, such as `{ component: 'my-controller' }`. */
  base?: LogFields;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'bigint'
        ? v.toString()
        : v instanceof Error
          ? { name: v.name, message: v.message }
          : v,
    );
  } catch {
    return '"[unserializable]"';
  }
}

/**
 * Creates a logger that writes one JSON object per line:
 * `{"level":"warn","time":"…","msg":"…",…fields}`.
 */
export function createConsoleLogger(
  options: ConsoleLoggerOptions = {},
): Logger {
  const min = levelRank[options.level ?? 'info'];
  const write =
    options.write ?? ((line: string) => void process.stderr.write(line + '\n'));
  const base = options.base ?? {};
  const log =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (levelRank[level] < min) return;
      write(
        safeJson({
          level,
          time: new Date().toISOString(),
          msg: message,
          ...base,
          ...fields,
        }),
      );
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
}

/** One line captured by a {@link MemoryLogger}. */
export interface LogEntry {
  /** The severity. */
  level: LogLevel;
  /** The message. */
  message: string;
  /** The structured fields, `{}` when none were given. */
  fields: LogFields;
}

/**
 * A logger that keeps every line in memory, for tests and for showing a
 * library's diagnostics in a UI.
 */
export class MemoryLogger implements Logger {
  /** Every line logged so far, oldest first. */
  readonly entries: LogEntry[] = [];

  /** Records a debug line. */
  debug(message: string, fields: LogFields = {}): void {
    this.entries.push({ level: 'debug', message, fields });
  }
  /** Records an info line. */
  info(message: string, fields: LogFields = {}): void {
    this.entries.push({ level: 'info', message, fields });
  }
  /** Records a warn line. */
  warn(message: string, fields: LogFields = {}): void {
    this.entries.push({ level: 'warn', message, fields });
  }
  /** Records an error line. */
  error(message: string, fields: LogFields = {}): void {
    this.entries.push({ level: 'error', message, fields });
  }

  /** The lines at `level`, or containing `text` in their message. */
  find(filter: { level?: LogLevel; text?: string }): LogEntry[] {
    return this.entries.filter(
      (e) =>
        (filter.level === undefined || e.level === filter.level) &&
        (filter.text === undefined || e.message.includes(filter.text)),
    );
  }
}
