import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');

function block(lang: string): string {
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```').exec(readme);
  if (match?.[1] === undefined) throw new Error(`no ${lang} block in README`);
  return match[1];
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('README', () => {
  it('runs the first example as written and prints what it shows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'event-recorder-readme-'));
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
    try {
      const file = join(dir, 'example.ts');
      await writeFile(file, block('ts'));
      await import(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(lines.join('\n')).toBe(block('text'));
  });
});
