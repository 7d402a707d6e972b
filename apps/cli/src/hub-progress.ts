import type { LoadProgress } from '@vramkit/models';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A one-line progress indicator for Hub loads, written to stderr: `⠙ config.json — 2 requests, 3.1 KB`.
 * Returns `onProgress` for `loadModel` and `done()` to clear the line. Silent when `enabled` is false
 * (not a TTY, `--json`, or `--quiet`), so piped output stays clean.
 * @param write where the line goes (the CLI's `io.err`)
 * @param enabled whether to draw at all
 */
export function hubProgress(
  write: (text: string) => void,
  enabled: boolean,
): { onProgress: (p: LoadProgress) => void; done: () => void } {
  let frame = 0;
  let drawn = false;
  return {
    onProgress(p) {
      if (!enabled) return;
      const kb =
        p.bytes < 1024 * 1024 ? `${(p.bytes / 1024).toFixed(1)} KB` : `${(p.bytes / 1024 / 1024).toFixed(2)} MB`;
      write(
        `\r\u001b[2K${FRAMES[frame++ % FRAMES.length]} ${p.file ?? p.step} — ${p.requests} request${p.requests === 1 ? '' : 's'}, ${kb}`,
      );
      drawn = true;
    },
    done() {
      if (drawn) write('\r\u001b[2K');
      drawn = false;
    },
  };
}
