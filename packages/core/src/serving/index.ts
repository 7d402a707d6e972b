// Serving and fitting: GPU catalogue, engine profiles, solvers, throughput. Exports are added here by that work.
export {};
