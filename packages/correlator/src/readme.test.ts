import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventCorrelator } from './index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function block(lang: string): string {
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```').exec(readme);
  if (match?.[1] === undefined) throw new Error(`no ${lang} block in README`);
  return match[1];
}

describe('README', () => {
  it('runs the alerts example and prints exactly the output it shows', () => {
    const source = block('js');
    const importLine =
      "import { EventCorrelator } from '@event-recorder/correlator';";
    expect(source.startsWith(importLine)).toBe(true);
    const lines: string[] = [];
    const console = { log: (line: string) => lines.push(line) };
    // The example is the README's own text, run with the package's exports.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const run = new Function(
      'EventCorrelator',
      'console',
      source.slice(importLine.length),
    ) as (correlator: typeof EventCorrelator, out: typeof console) => void;
    run(EventCorrelator, console);
    expect(lines.join('\n')).toBe(block('text'));
  });
});
