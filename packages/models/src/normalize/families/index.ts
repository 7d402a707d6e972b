import { deepseekFamily } from './deepseek.js';
import { denseFamilies } from './dense.js';
import type { ConfigFamily } from './family.js';
import { gemmaFamilies } from './gemma.js';
import { gpt2Family } from './gpt2.js';
import { moeFamilies } from './moe.js';
import { bloomFamily } from './bloom.js';
import { cohereFamilies } from './cohere.js';
import { falconFamily } from './falcon.js';
import { glmFamilies } from './glm4.js';
import { gptNeoxFamily } from './gpt-neox.js';
import { jambaFamily } from './jamba.js';
import { mambaFamily } from './mamba.js';
import { phiFamily } from './phi.js';
import { starcoder2Family } from './starcoder2.js';
import { qwen3NextFamily } from './qwen3-next.js';

export type { ConfigFamily } from './family.js';

/** Every config family vramkit normalizes. Add a family by adding it here. */
export const configFamilies: readonly ConfigFamily[] = [
  ...denseFamilies,
  ...gemmaFamilies,
  gpt2Family,
  ...moeFamilies,
  deepseekFamily,
  qwen3NextFamily,
  phiFamily,
  gptNeoxFamily,
  falconFamily,
  bloomFamily,
  ...cohereFamilies,
  starcoder2Family,
  ...glmFamilies,
  mambaFamily,
  jambaFamily,
];

/** The family that reads a `model_type`, or undefined. */
export function familyFor(modelType: string): ConfigFamily | undefined {
  return configFamilies.find((f) => f.modelTypes.includes(modelType));
}

/** Every `model_type` with a normalizer, sorted. */
export function knownModelTypes(): string[] {
  return configFamilies.flatMap((f) => f.modelTypes).sort();
}
