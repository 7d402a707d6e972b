import { describe, expect, it } from 'vitest';
import { hubProgress } from './hub-progress.js';

describe('hubProgress', () => {
  it('draws "config.json — 2 requests, 3.0 KB" and clears the line when done', () => {
    let out = '';
    const p = hubProgress((t) => (out += t), true);
    p.onProgress({ step: 'config', file: 'config.json', requests: 2, bytes: 3072 });
    expect(out).toContain('config.json — 2 requests, 3.0 KB');
    p.done();
    expect(out.endsWith('\r\u001b[2K')).toBe(true);
  });

  it('writes nothing when disabled (not a TTY or --json)', () => {
    let out = '';
    const p = hubProgress((t) => (out += t), false);
    p.onProgress({ step: 'model-info', requests: 1, bytes: 10 });
    p.done();
    expect(out).toBe('');
  });
});
