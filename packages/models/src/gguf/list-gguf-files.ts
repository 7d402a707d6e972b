import { HubClient } from '../hub/hub-client.js';
import type { HubOptions } from '../hub/hub-options.js';
import { assertRepoId } from '../hub/repo-id.js';
import { type GgufChoice, groupGgufFiles } from './choose-gguf.js';

/**
 * The GGUF models of a Hub repository (one request to the tree API, paginated): each
 * quantization with its file(s) and total size, split files grouped — what `vramkit inspect
 * <gguf-repo>` lists.
 * @param id `owner/name`
 * @param options Hub options and `revision`
 * @throws HubFetchError
 */
export async function listGgufFiles(
  id: string,
  options: HubOptions & { revision?: string } = {},
): Promise<GgufChoice[]> {
  const client = new HubClient(options);
  const files = await client.listFiles(assertRepoId(id), options.revision);
  return groupGgufFiles(files);
}
