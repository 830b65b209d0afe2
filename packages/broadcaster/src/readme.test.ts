import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '@event-recorder/test-utils';

describe('README', () => {
  it('runs the example as written and prints exactly the output it shows', async () => {
    const { printed, expected } = await runReadmeExample(
      new URL('../README.md', import.meta.url),
      'js',
    );
    expect(printed).toBe(expected);
  });
});
