import { describe, expect, it } from 'vitest';
import { formatGB, formatGiB, parseBytes } from './units.js';

describe('parseBytes', () => {
  it('reads GiB and GB as different units', () => {
    expect(parseBytes('24GiB')).toBe(24 * 1024 ** 3);
    expect(parseBytes('24 GB')).toBe(24e9);
    expect(parseBytes('23.58GiB')).toBe(Math.floor(23.58 * 1024 ** 3));
    expect(parseBytes('512MiB')).toBe(512 * 1024 ** 2);
    expect(parseBytes('1000')).toBe(1000);
  });

  it('refuses the ambiguous "G" and garbage', () => {
    expect(parseBytes('24G')).toBeUndefined();
    expect(parseBytes('-1GiB')).toBeUndefined();
    expect(parseBytes('lots')).toBeUndefined();
  });
});

describe('formatGiB / formatGB', () => {
  it('say which unit they use', () => {
    expect(formatGiB(1024 ** 3)).toBe('1.00 GiB');
    expect(formatGB(1e9)).toBe('1.00 GB');
  });
});
