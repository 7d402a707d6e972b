import type { Architecture } from '@vramkit/core';
import type { ConfigReader } from '../config-fields.js';

/** Normalizes the configs of one or more `model_type`s into an {@link Architecture}. */
export interface ConfigFamily {
  /** `model_type` values this family reads (`llama`, `mistral`, …). */
  modelTypes: readonly string[];
  /** Reads fields through `r`, which collects every problem; the caller throws them together. */
  normalize(r: ConfigReader): Architecture;
}
