import { readFileSync } from 'node:fs';
import { MemorySink } from '@event-recorder/sink-memory';
import { describe, expect, it } from 'vitest';
import { EventBroadcaster } from './index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function block(lang: string): string {
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```').exec(readme);
  if (match?.[1] === undefined) throw new Error(`no ${lang} block in README`);
  return match[1];
}

type AsyncFn = new (...args: string[]) => (...args: unknown[]) => Promise<void>;

describe('README', () => {
  it('runs the example and prints exactly the output it shows', async () => {
    const source = block('js');
    const imports = [
      "import { EventBroadcaster } from '@event-recorder/broadcaster';",
      "import { MemorySink } from '@event-recorder/sink-memory';",
    ];
    expect(source.startsWith(imports.join('\n'))).toBe(true);
    const lines: string[] = [];
    const console = { log: (line: string) => lines.push(line) };
    const asyncProto = Object.getPrototypeOf(async function () {
      await Promise.resolve();
    }) as { constructor: AsyncFn };
    const AsyncFunction = asyncProto.constructor;
    // The example is the README's own text, run with the packages' exports.
    const run = new AsyncFunction(
      'EventBroadcaster',
      'MemorySink',
      'console',
      source.slice(imports.join('\n').length),
    );
    await run(EventBroadcaster, MemorySink, console);
    expect(lines.join('\n')).toBe(block('text'));
  });
});
