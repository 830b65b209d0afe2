import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import type { AliasOptions } from 'vite';
import root from '../vitest.config.js';

// Set by test-utils/scripts/test-node22.sh: the entry file of another
// @kubernetes/client-node (2.x), so the same scenarios run against it.
const clientNode = process.env['EVENT_RECORDER_CLIENT_NODE'];
if (clientNode !== undefined) {
  // Say loudly which client library the run uses.
  process.stderr.write(
    `e2e tests: @kubernetes/client-node from ${clientNode}\n`,
  );
}
// The packages resolve to their sources, as in every other suite.
const rootAlias = (root.resolve?.alias ?? []) as Extract<
  AliasOptions,
  readonly unknown[]
>;

export default defineConfig({
  resolve: {
    alias: [
      ...rootAlias,
      ...(clientNode === undefined
        ? []
        : [{ find: /^@kubernetes\/client-node$/, replacement: clientNode }]),
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          // Against a real kube-apiserver, started once by the global setup.
          name: '@event-recorder/e2e:kubernetes',
          root: fileURLToPath(new URL('.', import.meta.url)),
          include: ['kubernetes/**/*.test.ts'],
          globalSetup: [
            fileURLToPath(
              new URL('../test-utils/src/kube/globalSetup.ts', import.meta.url),
            ),
          ],
          testTimeout: 120_000,
          // One apiserver for all files; its request counters are compared
          // before and after, so files run one at a time.
          fileParallelism: false,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
