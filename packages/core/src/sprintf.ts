function typeName(value: unknown): string {
  if (value === null) return 'nil';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'time.Time';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float64';
    case 'bigint':
      return 'int64';
    case 'boolean':
      return 'bool';
    case 'undefined':
      return 'nil';
    default:
      return 'object';
  }
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'boolean'
  ) {
    return String(value);
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return value.message;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(' ')}]`;
  if (typeof value === 'object') {
    const toString = (value as { toString?: unknown }).toString;
    if (
      typeof toString === 'function' &&
      toString !== Object.prototype.toString
    ) {
      return String((toString as () => unknown).call(value));
    }
    try {
      return JSON.stringify(value) ?? '[object]';
    } catch {
      return '[object]';
    }
  }
  if (typeof value === 'symbol') return value.toString();
  return typeof value === 'function' ? '[function]' : '[unknown]';
}

function quote(s: string): string {
  // Go's %q: a double-quoted string with Go escapes; JSON escaping is the same
  // for everything an event message plausibly holds.
  return JSON.stringify(s);
}

function formatVerb(verb: string, value: unknown): string {
  switch (verb) {
    case 'v':
    case 's':
      return formatValue(value);
    case 'd':
      if (typeof value === 'number' && Number.isFinite(value))
        return String(Math.trunc(value));
      if (typeof value === 'bigint') return value.toString();
      return `%!d(${typeName(value)}=${formatValue(value)})`;
    case 'q':
      return quote(formatValue(value));
    case 'x':
      if (typeof value === 'number' && Number.isInteger(value))
        return value.toString(16);
      if (typeof value === 'bigint') return value.toString(16);
      return Array.from(new TextEncoder().encode(formatValue(value)), (b) =>
        b.toString(16).padStart(2, '0'),
      ).join('');
    case 't':
      return typeof value === 'boolean'
        ? String(value)
        : `%!t(${typeName(value)}=${formatValue(value)})`;
    case 'f':
      return typeof value === 'number'
        ? value.toFixed(6)
        : `%!f(${typeName(value)}=${formatValue(value)})`;
    default:
      return `%!${verb}(${typeName(value)}=${formatValue(value)})`;
  }
}

/**
 * Formats a message with Go's `fmt.Sprintf` verbs, so that messages ported
 * from Go controllers read the same: `%s`, `%v`, `%d`, `%q`, `%x`, `%t`, `%f`
 * and `%%`. Like Go it never throws: a missing argument becomes
 * `%!d(MISSING)` and extra arguments are appended as `%!(EXTRA type=value)`.
 *
 * @example
 * ```ts
 * sprintf('Back-off %d times for %q', 3, 'web'); // 'Back-off 3 times for "web"'
 * ```
 */
export function sprintf(format: string, ...args: unknown[]): string {
  let out = '';
  let argIndex = 0;
  const length = format.length;
  // Copy each literal stretch between verbs in one slice.
  let start = 0;
  for (;;) {
    const percent = format.indexOf('%', start);
    if (percent === -1) {
      out += start === 0 ? format : format.slice(start);
      break;
    }
    if (percent > start) out += format.slice(start, percent);
    if (percent + 1 === length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = format[percent + 1] as string;
    start = percent + 2;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatVerb(verb, args[argIndex++]);
  }
  if (argIndex < args.length) {
    const extra = args
      .slice(argIndex)
      .map((a) => `${typeName(a)}=${formatValue(a)}`)
      .join(', ');
    out += `%!(EXTRA ${extra})`;
  }
  return out;
}
