/**
 * The accuracy report: vramkit against every published, measured and recorded figure the repository
 * holds, per category — cases, exact, median and worst error, and every case outside its target with
 * its cause. One module behind `npm run accuracy`, the table in validation/README.md and the docs
 * site's accuracy page.
 */
import { lossPeaks, savedActivations, seed002 } from './categories/activations.js';
import { ggufSizes } from './categories/gguf.js';
import { llamaCpp } from './categories/llama-cpp.js';
import { lora } from './categories/lora.js';
import { parameters } from './categories/parameters.js';
import { trainingPeaks } from './categories/training.js';
import { vllmBudgets } from './categories/vllm.js';
import type { AccuracyCategory } from './report.js';

export { SEED_002, seed002Model } from './categories/activations.js';
export { detailTable, figure, outsideList, percent, renderAccuracy, summaryTable } from './render.js';
export {
  type AccuracyCase,
  type AccuracyCategory,
  type AccuracySummary,
  type AccuracyUnit,
  relativeError,
  summarize,
  unexplained,
} from './report.js';

/** Every category the repository has data for, in the report's order. */
export function accuracyReport(): AccuracyCategory[] {
  return [
    parameters(),
    lora(),
    ggufSizes(),
    ...llamaCpp(),
    vllmBudgets(),
    trainingPeaks(),
    savedActivations(),
    ...lossPeaks(),
    seed002(),
  ];
}
