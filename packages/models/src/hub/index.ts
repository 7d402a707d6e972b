export { HubFetchError, type HubErrorCode, type HubFetchErrorInit, ModelParseError, OfflineError } from './errors.js';
export { HubClient, type HubFile, type HubModelInfo } from './hub-client.js';
export {
  DEFAULT_HUB_ENDPOINT,
  type HubOptions,
  type LoadProgress,
  type ResolvedHubOptions,
  resolveHubOptions,
} from './hub-options.js';
export { type HubRequest, type HubRequestLog, type HubResponse, type HubStats, HubTransport } from './hub-transport.js';
export { assertRepoFilePath, assertRepoId, assertRevision, isRepoId } from './repo-id.js';
export { parseJsonObject, parseJsonSafe } from './safe-json.js';
