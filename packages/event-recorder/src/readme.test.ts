import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '@event-recorder/test-utils';

describe('README', () => {
  it('runs the first example as written and prints what it shows', async () => {
    const { printed, expected } = await runReadmeExample(
      new URL('../README.md', import.meta.url),
      'ts',
    );
    expect(printed).toBe(expected);
  });
});
