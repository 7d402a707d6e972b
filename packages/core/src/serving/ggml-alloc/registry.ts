/**
 * Graph builders per llama.cpp architecture (GGUF `general.architecture`), composed explicitly: each
 * builder file exports a table, and this file spreads the tables into one lookup. Importing registers nothing.
 */
import { DENSE_BUILDERS } from './dense.js';
import type { ArchGraphBuilder } from './llm-graph.js';
import { HYBRID_BUILDERS } from './hybrid.js';
import { MLA_BUILDERS } from './mla.js';
import { MOE_BUILDERS } from './moe.js';

export type { ArchGraphBuilder } from './llm-graph.js';

/** Every architecture with a graph builder. */
export const GRAPH_BUILDERS: Readonly<Record<string, ArchGraphBuilder>> = {
  ...DENSE_BUILDERS,
  ...MOE_BUILDERS,
  ...MLA_BUILDERS,
  ...HYBRID_BUILDERS,
};

/**
 * The graph builder for a llama.cpp architecture.
 * @param ggufArch `general.architecture` (`llama`, `qwen3`, `gemma2`)
 * @returns the builder, or undefined when none is written yet
 */
export function graphBuilderFor(ggufArch: string): ArchGraphBuilder | undefined {
  return Object.hasOwn(GRAPH_BUILDERS, ggufArch) ? GRAPH_BUILDERS[ggufArch] : undefined;
}
