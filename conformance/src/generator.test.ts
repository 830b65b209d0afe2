import { describe, expect, it } from 'vitest';
import { generateScenarios, Random } from './generator.js';
import { specScenarios } from './specScenarios.js';

describe('the scenario generator', () => {
  const scenarios = generateScenarios();

  it('produces the same streams for the same seed and different ones for another', () => {
    expect(JSON.stringify(generateScenarios({ count: 50 }))).toBe(
      JSON.stringify(scenarios.slice(0, 50)),
    );
    expect(JSON.stringify(generateScenarios({ count: 50, seed: 7 }))).not.toBe(
      JSON.stringify(scenarios.slice(0, 50)),
    );
  });

  it('produces at least 2,000 streams mixing repeats, gaps around 300 s and 600 s, small caches and custom options', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(2000);
    const steps = scenarios.flatMap((s) => s.steps);
    const gaps = steps.map((s) => s.advanceMs ?? 0);
    const near = (c: number) => gaps.filter((g) => Math.abs(g - c) <= 1).length;
    expect(near(300_000)).toBeGreaterThan(100);
    expect(near(600_000)).toBeGreaterThan(100);
    expect(gaps.filter((g) => g === 600_000).length).toBeGreaterThan(10);
    expect(
      scenarios.filter(
        (s) =>
          (s.options.lruCacheSize ?? 0) > 0 && s.options.lruCacheSize! <= 12,
      ).length,
    ).toBeGreaterThan(300);
    expect(
      scenarios.filter((s) => s.options.spamKeyFunc === 'withReason').length,
    ).toBeGreaterThan(50);
    expect(
      scenarios.filter((s) => s.options.burstSize !== undefined).length,
    ).toBeGreaterThan(300);
    const repeats = steps.filter(
      (s, i) =>
        i > 0 &&
        JSON.stringify(s.event) === JSON.stringify(steps[i - 1]!.event),
    );
    expect(repeats.length).toBeGreaterThan(steps.length / 5);
    const objects = new Set(
      steps.map((s) => JSON.stringify(s.event.involvedObject)),
    );
    expect(objects.size).toBeGreaterThan(1000);
  });

  it('keeps scenario names unique', () => {
    const names = [...specScenarios(), ...scenarios].map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('draws uniformly enough from its PRNG', () => {
    const r = new Random(1);
    const buckets = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) buckets[r.int(0, 3)]!++;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });
});
