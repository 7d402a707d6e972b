import { describe, expect, it } from 'vitest';
import type { Io } from './command.js';
import { hubLoadOptions } from './hub-flags.js';

const io: Io = { out: () => undefined, err: () => undefined, env: { HF_TOKEN: 'hf_x' }, cwd: '/tmp' };

describe('hubLoadOptions', () => {
  it('maps --revision, --offline, --quant, --exact and --timeout 5 to loader options (5,000 ms)', () => {
    const { options } = hubLoadOptions(
      { positionals: [], values: { revision: 'abc', offline: true, quant: 'Q4_K_M', exact: true, timeout: '5' } },
      io,
      false,
    );
    expect(options).toMatchObject({
      revision: 'abc',
      offline: true,
      quant: 'Q4_K_M',
      exact: true,
      timeoutMs: 5000,
      env: io.env,
      cwd: '/tmp',
    });
  });

  it('rejects --timeout 0 with a usage error naming the flag', () => {
    expect(() => hubLoadOptions({ positionals: [], values: { timeout: '0' } }, io, false)).toThrow(
      /--timeout must be a whole number/,
    );
  });
});
