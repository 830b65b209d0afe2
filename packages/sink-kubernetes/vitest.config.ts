import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import type { AliasOptions } from 'vite';
import root from '../../vitest.config.js';

// Set by test-utils/scripts/test-node22.sh: the entry file of another
// @kubernetes/client-node (2.x), so the same tests run against it.
const clientNode = process.env['EVENT_RECORDER_CLIENT_NODE'];
if (clientNode !== undefined) {
  // Say loudly which client library the run uses.
  process.stderr.write(
    `sink-kubernetes tests: @kubernetes/client-node from ${clientNode}\n`,
  );
}
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
          name: '@event-recorder/sink-kubernetes',
          root: fileURLToPath(new URL('.', import.meta.url)),
          include: ['src/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          // Against a real kube-apiserver, started once by the global setup.
          name: '@event-recorder/sink-kubernetes:integration',
          root: fileURLToPath(new URL('.', import.meta.url)),
          include: ['integration/**/*.test.ts'],
          globalSetup: [
            fileURLToPath(
              new URL(
                '../../test-utils/src/kube/globalSetup.ts',
                import.meta.url,
              ),
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
