import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';

/** The first fenced block of `lang` in a Markdown text. */
export function readmeBlock(markdown: string, lang: string): string {
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```').exec(
    markdown,
  );
  if (match?.[1] === undefined) throw new Error(`no ${lang} block in README`);
  return match[1];
}

/**
 * Runs a README's first `lang` example exactly as written (as a module, so
 * its imports resolve to the workspace packages) and returns what it printed
 * with `console.log`, next to the README's first `text` block, which shows
 * the expected output.
 */
export async function runReadmeExample(
  readmeUrl: URL,
  lang: 'ts' | 'js',
): Promise<{ printed: string; expected: string }> {
  const readme = await readFile(readmeUrl, 'utf8');
  const dir = await mkdtemp(join(tmpdir(), 'readme-example-'));
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args) => {
    lines.push(args.map(String).join(' '));
  });
  try {
    const file = join(dir, 'example.ts');
    await writeFile(file, readmeBlock(readme, lang));
    await import(file);
  } finally {
    spy.mockRestore();
    await rm(dir, { recursive: true, force: true });
  }
  return { printed: lines.join('\n'), expected: readmeBlock(readme, 'text') };
}
