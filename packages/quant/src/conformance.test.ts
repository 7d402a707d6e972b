import { builtinFormats } from './builtin-formats.js';
import { isFormatFamily } from './registry.js';
import { describeWeightFormatConformance } from './testing.js';

// Every built-in format (families at their example parameters) passes the suite format packages run.
for (const entry of Object.values(builtinFormats)) {
  const format = isFormatFamily(entry) ? entry.create(entry.example) : entry;
  if (format.id === 'gguf') {
    describeWeightFormatConformance(format, {
      tensors: [
        { name: 'blk.0.attn_q.weight', role: 'attn_q', kind: 'weight', layer: 0, shape: [4096, 4096], dtype: 'Q4_K' },
        { name: 'blk.0.attn_norm.weight', role: 'attn_norm', kind: 'norm', layer: 0, shape: [4096], dtype: 'F32' },
      ],
    });
  } else {
    describeWeightFormatConformance(format);
  }
}
