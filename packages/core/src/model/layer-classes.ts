import type { Architecture, LayerSpec } from './architecture.js';

/** Layers that are identical for memory purposes, with how many there are. */
export interface LayerClass {
  layer: LayerSpec;
  count: number;
  /** Index of the first layer of the class. */
  first: number;
}

const cache = new WeakMap<Architecture, LayerClass[]>();

/**
 * Groups an architecture's layers into classes of identical layers (a 61-layer DeepSeek-V3 has two:
 * dense and MoE), so per-workload formulas loop over a handful of classes instead of every layer.
 * Cached per architecture object; architectures are treated as immutable.
 */
export function layerClasses(arch: Architecture): LayerClass[] {
  const hit = cache.get(arch);
  if (hit) return hit;
  const byKey = new Map<string, LayerClass>();
  const byRef = new Map<LayerSpec, LayerClass>();
  arch.layers.forEach((layer, i) => {
    const known = byRef.get(layer);
    if (known) {
      known.count += 1;
      return;
    }
    const key = JSON.stringify(layer);
    const cls = byKey.get(key);
    if (cls) {
      cls.count += 1;
      byRef.set(layer, cls);
      return;
    }
    const created = { layer, count: 1, first: i };
    byKey.set(key, created);
    byRef.set(layer, created);
  });
  const classes = [...byKey.values()];
  cache.set(arch, classes);
  return classes;
}
