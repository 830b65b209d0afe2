import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sprintf } from './sprintf.js';

describe('sprintf', () => {
  it.each([
    ['some verbose message: %v', [1], 'some verbose message: 1'],
    [
      'Pod failed to schedule on %s: %s',
      ['node1', 'not enough resources'],
      'Pod failed to schedule on node1: not enough resources',
    ],
    ['%d restarts', [3.7], '3 restarts'],
    ['name %q', ['web"1'], 'name "web\\"1"'],
    ['100%% done', [], '100% done'],
    ['%x', [255], 'ff'],
    ['%t', [true], 'true'],
    ['%v', [null], '<nil>'],
    ['%v', [[1, 'a']], '[1 a]'],
  ] as const)('formats %j with %j as Go does', (format, args, expected) => {
    expect(sprintf(format, ...args)).toBe(expected);
  });

  it('marks missing and extra arguments instead of throwing', () => {
    expect(sprintf('%s and %d', 'a')).toBe('a and %!d(MISSING)');
    expect(sprintf('hi', 1, 'x')).toBe('hi%!(EXTRA int=1, string=x)');
    expect(sprintf('%d', 'x')).toBe('%!d(string=x)');
    expect(sprintf('trailing %')).toBe('trailing %!(NOVERB)');
  });

  it('formats even with no arguments, like Go', () => {
    expect(sprintf('50%% of %s')).toBe('50% of %!s(MISSING)');
  });

  it('survives objects that cannot be serialised', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(sprintf('%v', cyclic)).toBe('[object]');
  });

  it('copies literal text exactly as a character-by-character walk does', () => {
    // The reference walks the format one UTF-16 unit at a time, as the first
    // implementation did; each verb's own output comes from formatting it alone.
    const reference = (format: string, args: string[]): string => {
      let out = '';
      let next = 0;
      for (let i = 0; i < format.length; i++) {
        const ch = format[i] as string;
        if (ch !== '%') {
          out += ch;
          continue;
        }
        const verb = format[i + 1];
        if (verb === undefined) {
          out += '%!(NOVERB)';
          break;
        }
        i++;
        if (verb === '%') out += '%';
        else if (next >= args.length) out += `%!${verb}(MISSING)`;
        else out += sprintf(`%${verb}`, args[next++]);
      }
      if (next < args.length)
        out += `%!(EXTRA ${args
          .slice(next)
          .map((a) => `string=${a}`)
          .join(', ')})`;
      return out;
    };
    const unit = fc.constantFrom(
      '%',
      '%',
      's',
      'd',
      'q',
      'x',
      'v',
      'a',
      ' ',
      '-',
      'é',
      '\ud83d',
      '\ude00',
    );
    fc.assert(
      fc.property(
        fc.array(unit, { maxLength: 24 }).map((units) => units.join('')),
        fc.array(fc.string({ maxLength: 4 }), { maxLength: 4 }),
        (format, args) => {
          expect(sprintf(format, ...args)).toBe(reference(format, args));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
