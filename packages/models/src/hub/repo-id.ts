import { InvalidInputError } from '@vramkit/core';

// Hub repository names: huggingface_hub validate_repo_id (utils/_validators.py) allows
// [A-Za-z0-9_.-], at most 96 characters per part, no "--" or ".." and no trailing ".git".
const PART = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/;

/** True for an `owner/name` Hub model id (and not a path or a URL). */
export function isRepoId(value: string): boolean {
  const parts = value.split('/');
  if (parts.length !== 2) return false;
  return parts.every((p) => PART.test(p) && !p.includes('..') && !p.includes('--') && !p.endsWith('.git'));
}

/**
 * Checks a Hub model id.
 * @param repo `owner/name`, e.g. `Qwen/Qwen3-8B`
 * @returns the id unchanged
 * @throws InvalidInputError when the id is not `owner/name` with Hub-legal characters
 */
export function assertRepoId(repo: string): string {
  if (!isRepoId(repo)) {
    throw new InvalidInputError([
      {
        path: 'model',
        message: `"${repo}" is not a Hub model id; expected owner/name, e.g. Qwen/Qwen3-8B`,
        received: repo,
      },
    ]);
  }
  return repo;
}

/**
 * Checks a revision (branch, tag or commit sha): no `..`, no control characters, no leading slash.
 * @throws InvalidInputError naming `revision`
 */
export function assertRevision(revision: string): string {
  if (
    !/^[A-Za-z0-9_.\-/]{1,255}$/.test(revision) ||
    revision.startsWith('/') ||
    revision.split('/').some((s) => s === '..' || s === '.' || s === '')
  ) {
    throw new InvalidInputError([
      { path: 'revision', message: 'must be a branch, tag or commit sha', received: revision },
    ]);
  }
  return revision;
}

/**
 * Checks a file path inside a repository: relative, no `.`/`..` segments, no backslashes or control
 * characters — a hostile index.json must not point a request (or a cache write) anywhere else.
 * @throws InvalidInputError naming `file`
 */
export function assertRepoFilePath(path: string): string {
  const bad =
    path.length === 0 ||
    path.length > 1024 ||
    path.startsWith('/') ||
    path.includes('\\') ||
    /[\u0000-\u001f\u007f]/.test(path) ||
    path.split('/').some((s) => s === '' || s === '.' || s === '..');
  if (bad)
    throw new InvalidInputError([
      { path: 'file', message: 'must be a relative path inside the repository', received: path },
    ]);
  return path;
}

/** Encodes each segment of a repository path for a URL, keeping the slashes. */
export function encodeRepoPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
