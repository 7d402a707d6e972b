// Training and fine-tuning memory (issue: training). Exports are added here by that work.
export {};
