import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

interface Workspace {
  name: string;
  dir: string;
}

function readWorkspace(dir: string): Workspace | undefined {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return undefined;
  const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    name: string;
  };
  return { name, dir };
}

const packages = readdirSync(join(root, 'packages'))
  .map((entry) => readWorkspace(join(root, 'packages', entry)))
  .filter((w): w is Workspace => w !== undefined);

const privateWorkspaces = ['conformance', 'test-utils', 'bench']
  .map((entry) => readWorkspace(join(root, entry)))
  .filter((w): w is Workspace => w !== undefined);

// Tests run against sibling packages' sources, so `vitest` needs no prior build.
const alias = packages
  .filter(({ dir }) => existsSync(join(dir, 'src', 'index.ts')))
  .map(({ name, dir }) => ({
    find: new RegExp(`^${name.replace(/[/\\^$.*+?()[\]{}|-]/g, '\\$&')}$`),
    replacement: join(dir, 'src', 'index.ts'),
  }));

export default defineConfig({
  resolve: { alias },
  test: {
    // CI runs every package's suite at once on two cores; property tests and
    // process-spawning tests need headroom beyond vitest's 5 s default.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [...packages, ...privateWorkspaces].map(({ name, dir }) => ({
      extends: true,
      test: {
        name,
        root: dir,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      },
    })),
  },
});
