export {
  checkpointTensors,
  fakeSha,
  ggufFromConfig,
  type RepoFromConfigOptions,
  repoFromConfig,
} from './fixture-repos.js';
export { ByteWriter, buildGgufFile, GGUF_VALUE, type GgufKv, type GgufTensorSpec } from './gguf-writer.js';
export {
  type FixtureRepo,
  type HubServer,
  type HubServerFaults,
  type RecordedRequest,
  startHubServer,
} from './hub-server.js';
export {
  buildSafetensorsFile,
  buildShardedSafetensors,
  type SafetensorsTensorSpec,
  type VirtualFile,
} from './safetensors-writer.js';
