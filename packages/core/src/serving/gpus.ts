import { GIB, MIB } from '../memory/units.js';
import { NoSuchGpuError } from './no-such-gpu-error.js';

/** Dense (no 2:4 sparsity) peak throughput in TFLOP/s (TOP/s for int8) as the vendor states it. */
export interface GpuTflops {
  fp32: number;
  /** fp16 tensor-core (or shader, where there are none) throughput with fp32 accumulation. */
  fp16: number;
  bf16?: number;
  fp8?: number;
  int8?: number;
}

/** One accelerator of the catalogue. */
export interface GpuSpec {
  /** Command-line id, lower-case with dashes (`rtx-4090`, `h100-80gb`). */
  id: string;
  name: string;
  vendor: 'nvidia' | 'amd' | 'apple';
  segment: 'consumer' | 'laptop' | 'workstation' | 'datacenter' | 'apple';
  /**
   * Installed memory in bytes. DRAM and HBM dies come in binary sizes, so a card sold as "24 GB"
   * carries 24 GiB (likewise H200 "141 GB": nvidia-smi reports 143,771 MiB, more than 141 × 10⁹ bytes).
   */
  memoryBytes: number;
  /**
   * Total memory as CUDA reports it (`cudaMemGetInfo` total, PyTorch `total_memory`), which is what
   * vLLM multiplies by `gpu_memory_utilization`. Absent where no reliable figure is known.
   */
  cudaTotalBytes?: number;
  /** Where `cudaTotalBytes` comes from. */
  cudaTotalSource?: string;
  /** Unified memory (Apple): the fraction Metal lets the GPU wire (`recommendedMaxWorkingSetSize`). */
  gpuUsableFraction?: number;
  /** Peak memory bandwidth in GB/s (10⁹ bytes per second). */
  bandwidthGBps: number;
  tflops: GpuTflops;
  /** Vendor datasheet or whitepaper the memory, bandwidth and TFLOPs figures come from. */
  source: string;
}

const gib = (n: number) => n * GIB;
const mib = (n: number) => n * MIB;
/** PyTorch OOM messages print "X GiB total capacity" with two decimals; the value is exact to ±0.005 GiB. */
const gib2 = (n: number) => Math.round(n * GIB);

const ADA =
  'NVIDIA Ada Lovelace GPU Architecture whitepaper v2.1 (appendix A), and nvidia.com GeForce RTX 40 series specs';
const AMPERE_GF =
  'NVIDIA Ampere GA102 GPU Architecture whitepaper v2 (appendix A), and nvidia.com GeForce RTX 30 series specs';
const TURING = 'NVIDIA Turing GPU Architecture whitepaper (appendix A), and nvidia.com GeForce RTX 20 series specs';
const PASCAL = 'NVIDIA GeForce GTX 10 series product pages (nvidia.com); Pascal consumer fp16 runs at 1/64 of fp32';
const BLACKWELL_GF =
  'NVIDIA RTX Blackwell GPU Architecture whitepaper v1.0 (appendix), and nvidia.com GeForce RTX 50 series specs';
const LAPTOP =
  'nvidia.com GeForce RTX 40/50 series laptop specs (memory, bus width × data rate); TFLOPs at the highest TGP, approximate';
const APPLE_WIRED =
  'Apple newsroom / tech specs (unified memory, bandwidth); GPU TFLOPs from cores × 128 ALUs × clock (fp16 = fp32 rate); usable fraction = Metal recommendedMaxWorkingSetSize as llama.cpp ggml_metal_init prints it (2/3 of RAM up to 36 GB, 3/4 above)';

/**
 * The GPU catalogue. Memory in bytes, bandwidth in GB/s, dense TFLOPs; every entry names its source.
 * GeForce tensor TFLOPs are the fp32-accumulate figures (what PyTorch and llama.cpp use), i.e. half
 * the fp16-accumulate number the marketing pages show; int8 is 4× and fp8 2× that figure on Ada/Blackwell.
 */
export const GPUS = [
  // Pascal
  {
    id: 'gtx-1060-6gb',
    name: 'GeForce GTX 1060 6GB',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(6),
    bandwidthGBps: 192,
    tflops: { fp32: 4.4, fp16: 0.07 },
    source: PASCAL,
  },
  {
    id: 'gtx-1070',
    name: 'GeForce GTX 1070',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(8),
    bandwidthGBps: 256,
    tflops: { fp32: 6.5, fp16: 0.1 },
    source: PASCAL,
  },
  {
    id: 'gtx-1080',
    name: 'GeForce GTX 1080',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(8),
    bandwidthGBps: 320,
    tflops: { fp32: 8.9, fp16: 0.14 },
    source: PASCAL,
  },
  {
    id: 'gtx-1080-ti',
    name: 'GeForce GTX 1080 Ti',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(11),
    bandwidthGBps: 484,
    tflops: { fp32: 11.3, fp16: 0.18 },
    source: PASCAL,
  },
  // Turing
  {
    id: 'rtx-2060',
    name: 'GeForce RTX 2060',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(6),
    bandwidthGBps: 336,
    tflops: { fp32: 6.5, fp16: 25.8, int8: 103.2 },
    source: TURING,
  },
  {
    id: 'rtx-2070',
    name: 'GeForce RTX 2070',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(8),
    bandwidthGBps: 448,
    tflops: { fp32: 7.5, fp16: 29.9, int8: 119.4 },
    source: TURING,
  },
  {
    id: 'rtx-2080',
    name: 'GeForce RTX 2080',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(8),
    bandwidthGBps: 448,
    tflops: { fp32: 10.1, fp16: 40.3, int8: 161.1 },
    source: TURING,
  },
  {
    id: 'rtx-2080-ti',
    name: 'GeForce RTX 2080 Ti',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(11),
    bandwidthGBps: 616,
    tflops: { fp32: 13.4, fp16: 53.8, int8: 215.2 },
    source: TURING,
  },
  // Ampere
  {
    id: 'rtx-3060-12gb',
    name: 'GeForce RTX 3060 12GB',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(12),
    bandwidthGBps: 360,
    tflops: { fp32: 12.7, fp16: 25.6, bf16: 25.6, int8: 102 },
    source: AMPERE_GF,
  },
  {
    id: 'rtx-3060-ti',
    name: 'GeForce RTX 3060 Ti',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(8),
    bandwidthGBps: 448,
    tflops: { fp32: 16.2, fp16: 32.4, bf16: 32.4, int8: 129.6 },
    source: AMPERE_GF,
  },
  {
    id: 'rtx-3070',
    name: 'GeForce RTX 3070',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(8),
    bandwidthGBps: 448,
    tflops: { fp32: 20.3, fp16: 40.6, bf16: 40.6, int8: 162.6 },
    source: AMPERE_GF,
  },
  {
    id: 'rtx-3080',
    name: 'GeForce RTX 3080 10GB',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(10),
    bandwidthGBps: 760,
    tflops: { fp32: 29.8, fp16: 59.5, bf16: 59.5, int8: 238 },
    source: AMPERE_GF,
  },
  {
    id: 'rtx-3080-12gb',
    name: 'GeForce RTX 3080 12GB',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(12),
    bandwidthGBps: 912,
    tflops: { fp32: 30.6, fp16: 61.3, bf16: 61.3, int8: 245 },
    source: AMPERE_GF,
  },
  {
    id: 'rtx-3090',
    name: 'GeForce RTX 3090',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(24),
    cudaTotalBytes: gib2(23.69),
    cudaTotalSource: 'PyTorch OOM message "23.69 GiB total capacity" (RTX 3090, Linux)',
    bandwidthGBps: 936,
    tflops: { fp32: 35.6, fp16: 71, bf16: 71, int8: 284 },
    source: AMPERE_GF,
  },
  {
    id: 'rtx-3090-ti',
    name: 'GeForce RTX 3090 Ti',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(24),
    bandwidthGBps: 1008,
    tflops: { fp32: 40, fp16: 80, bf16: 80, int8: 320 },
    source: AMPERE_GF,
  },
  // Ada
  {
    id: 'rtx-4060',
    name: 'GeForce RTX 4060',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(8),
    bandwidthGBps: 272,
    tflops: { fp32: 15.1, fp16: 30.2, bf16: 30.2, fp8: 60.4, int8: 120.8 },
    source: ADA,
  },
  {
    id: 'rtx-4060-ti-16gb',
    name: 'GeForce RTX 4060 Ti 16GB',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(16),
    bandwidthGBps: 288,
    tflops: { fp32: 22.1, fp16: 44.2, bf16: 44.2, fp8: 88.4, int8: 176.8 },
    source: ADA,
  },
  {
    id: 'rtx-4070',
    name: 'GeForce RTX 4070',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(12),
    bandwidthGBps: 504,
    tflops: { fp32: 29.1, fp16: 58.3, bf16: 58.3, fp8: 116.6, int8: 233.2 },
    source: ADA,
  },
  {
    id: 'rtx-4070-ti',
    name: 'GeForce RTX 4070 Ti',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(12),
    bandwidthGBps: 504,
    tflops: { fp32: 40.1, fp16: 80.2, bf16: 80.2, fp8: 160.4, int8: 320.8 },
    source: ADA,
  },
  {
    id: 'rtx-4070-ti-super',
    name: 'GeForce RTX 4070 Ti SUPER',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(16),
    bandwidthGBps: 672,
    tflops: { fp32: 44.1, fp16: 88.2, bf16: 88.2, fp8: 176.4, int8: 352.8 },
    source: ADA,
  },
  {
    id: 'rtx-4080',
    name: 'GeForce RTX 4080',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(16),
    bandwidthGBps: 717,
    tflops: { fp32: 48.7, fp16: 97.5, bf16: 97.5, fp8: 194.9, int8: 389.9 },
    source: ADA,
  },
  {
    id: 'rtx-4080-super',
    name: 'GeForce RTX 4080 SUPER',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(16),
    bandwidthGBps: 736,
    tflops: { fp32: 52.2, fp16: 104.4, bf16: 104.4, fp8: 208.9, int8: 417.6 },
    source: ADA,
  },
  {
    id: 'rtx-4090',
    name: 'GeForce RTX 4090',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(24),
    cudaTotalBytes: 25_757_220_864,
    cudaTotalSource: 'cudaMemGetInfo total on RTX 4090 (24,564 MiB, as nvidia-smi prints it)',
    bandwidthGBps: 1008,
    tflops: { fp32: 82.6, fp16: 165.2, bf16: 165.2, fp8: 330.3, int8: 660.6 },
    source: ADA,
  },
  // Blackwell (GeForce)
  {
    id: 'rtx-5060-ti-16gb',
    name: 'GeForce RTX 5060 Ti 16GB',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(16),
    bandwidthGBps: 448,
    tflops: { fp32: 23.7, fp16: 47.4, bf16: 47.4, fp8: 94.8, int8: 189.6 },
    source: BLACKWELL_GF,
  },
  {
    id: 'rtx-5070',
    name: 'GeForce RTX 5070',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(12),
    bandwidthGBps: 672,
    tflops: { fp32: 30.9, fp16: 61.7, bf16: 61.7, fp8: 123.4, int8: 246.8 },
    source: BLACKWELL_GF,
  },
  {
    id: 'rtx-5070-ti',
    name: 'GeForce RTX 5070 Ti',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(16),
    bandwidthGBps: 896,
    tflops: { fp32: 43.9, fp16: 87.9, bf16: 87.9, fp8: 175.8, int8: 351.6 },
    source: BLACKWELL_GF,
  },
  {
    id: 'rtx-5080',
    name: 'GeForce RTX 5080',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(16),
    bandwidthGBps: 960,
    tflops: { fp32: 56.3, fp16: 112.6, bf16: 112.6, fp8: 225.1, int8: 450.2 },
    source: BLACKWELL_GF,
  },
  {
    id: 'rtx-5090',
    name: 'GeForce RTX 5090',
    vendor: 'nvidia',
    segment: 'consumer',
    memoryBytes: gib(32),
    bandwidthGBps: 1792,
    tflops: { fp32: 104.8, fp16: 209.5, bf16: 209.5, fp8: 419, int8: 838 },
    source: BLACKWELL_GF,
  },
  // Laptop GPUs (seed 001's tiers: 8 GB 5070, 12 GB 5070 Ti, 16 GB 5080, 24 GB 5090)
  {
    id: 'rtx-4060-laptop',
    name: 'GeForce RTX 4060 Laptop',
    vendor: 'nvidia',
    segment: 'laptop',
    memoryBytes: gib(8),
    bandwidthGBps: 256,
    tflops: { fp32: 11.6, fp16: 23.2, bf16: 23.2, fp8: 46.4 },
    source: LAPTOP,
  },
  {
    id: 'rtx-4070-laptop',
    name: 'GeForce RTX 4070 Laptop',
    vendor: 'nvidia',
    segment: 'laptop',
    memoryBytes: gib(8),
    bandwidthGBps: 256,
    tflops: { fp32: 15.6, fp16: 31.2, bf16: 31.2, fp8: 62.4 },
    source: LAPTOP,
  },
  {
    id: 'rtx-4080-laptop',
    name: 'GeForce RTX 4080 Laptop',
    vendor: 'nvidia',
    segment: 'laptop',
    memoryBytes: gib(12),
    bandwidthGBps: 432,
    tflops: { fp32: 24.7, fp16: 49.4, bf16: 49.4, fp8: 98.8 },
    source: LAPTOP,
  },
  {
    id: 'rtx-4090-laptop',
    name: 'GeForce RTX 4090 Laptop',
    vendor: 'nvidia',
    segment: 'laptop',
    memoryBytes: gib(16),
    bandwidthGBps: 576,
    tflops: { fp32: 32.9, fp16: 65.8, bf16: 65.8, fp8: 131.6 },
    source: LAPTOP,
  },
  {
    id: 'rtx-5070-laptop',
    name: 'GeForce RTX 5070 Laptop',
    vendor: 'nvidia',
    segment: 'laptop',
    memoryBytes: gib(8),
    bandwidthGBps: 384,
    tflops: { fp32: 15.3, fp16: 30.6, bf16: 30.6, fp8: 61.2 },
    source: LAPTOP,
  },
  {
    id: 'rtx-5070-ti-laptop',
    name: 'GeForce RTX 5070 Ti Laptop',
    vendor: 'nvidia',
    segment: 'laptop',
    memoryBytes: gib(12),
    bandwidthGBps: 672,
    tflops: { fp32: 21.9, fp16: 43.8, bf16: 43.8, fp8: 87.6 },
    source: LAPTOP,
  },
  {
    id: 'rtx-5080-laptop',
    name: 'GeForce RTX 5080 Laptop',
    vendor: 'nvidia',
    segment: 'laptop',
    memoryBytes: gib(16),
    bandwidthGBps: 896,
    tflops: { fp32: 24.6, fp16: 49.2, bf16: 49.2, fp8: 98.4 },
    source: LAPTOP,
  },
  {
    id: 'rtx-5090-laptop',
    name: 'GeForce RTX 5090 Laptop',
    vendor: 'nvidia',
    segment: 'laptop',
    memoryBytes: gib(24),
    bandwidthGBps: 896,
    tflops: { fp32: 31.8, fp16: 63.6, bf16: 63.6, fp8: 127.2 },
    source: LAPTOP,
  },
  // Workstation
  {
    id: 'rtx-a4000',
    name: 'RTX A4000',
    vendor: 'nvidia',
    segment: 'workstation',
    memoryBytes: gib(16),
    bandwidthGBps: 448,
    tflops: { fp32: 19.2, fp16: 76.7, bf16: 76.7, int8: 153.4 },
    source: 'NVIDIA RTX A4000 datasheet',
  },
  {
    id: 'rtx-a5000',
    name: 'RTX A5000',
    vendor: 'nvidia',
    segment: 'workstation',
    memoryBytes: gib(24),
    bandwidthGBps: 768,
    tflops: { fp32: 27.8, fp16: 111.1, bf16: 111.1, int8: 222.2 },
    source: 'NVIDIA RTX A5000 datasheet',
  },
  {
    id: 'rtx-a6000',
    name: 'RTX A6000',
    vendor: 'nvidia',
    segment: 'workstation',
    memoryBytes: gib(48),
    bandwidthGBps: 768,
    tflops: { fp32: 38.7, fp16: 154.8, bf16: 154.8, int8: 309.7 },
    source: 'NVIDIA RTX A6000 datasheet',
  },
  {
    id: 'rtx-6000-ada',
    name: 'RTX 6000 Ada Generation',
    vendor: 'nvidia',
    segment: 'workstation',
    memoryBytes: gib(48),
    bandwidthGBps: 960,
    tflops: { fp32: 91.1, fp16: 364.2, bf16: 364.2, fp8: 728.5, int8: 728.5 },
    source: 'NVIDIA RTX 6000 Ada Generation datasheet',
  },
  {
    id: 'rtx-pro-6000',
    name: 'RTX PRO 6000 Blackwell',
    vendor: 'nvidia',
    segment: 'workstation',
    memoryBytes: gib(96),
    bandwidthGBps: 1792,
    tflops: { fp32: 125, fp16: 500, bf16: 500, fp8: 1000, int8: 1000 },
    source: 'NVIDIA RTX PRO 6000 Blackwell Workstation Edition datasheet (sparse figures halved)',
  },
  // Data centre
  {
    id: 't4',
    name: 'Tesla T4',
    vendor: 'nvidia',
    segment: 'datacenter',
    memoryBytes: gib(16),
    cudaTotalBytes: gib2(14.75),
    cudaTotalSource: 'PyTorch OOM message "14.75 GiB total capacity" (T4, ECC on)',
    bandwidthGBps: 320,
    tflops: { fp32: 8.1, fp16: 65, int8: 130 },
    source: 'NVIDIA T4 Tensor Core GPU datasheet',
  },
  {
    id: 'v100-16gb',
    name: 'Tesla V100 PCIe 16GB',
    vendor: 'nvidia',
    segment: 'datacenter',
    memoryBytes: gib(16),
    cudaTotalBytes: gib2(15.77),
    cudaTotalSource: 'PyTorch OOM message "15.77 GiB total capacity" (V100-PCIE-16GB)',
    bandwidthGBps: 900,
    tflops: { fp32: 14, fp16: 112 },
    source: 'NVIDIA V100 Tensor Core GPU datasheet (PCIe)',
  },
  {
    id: 'v100-32gb',
    name: 'Tesla V100 SXM2 32GB',
    vendor: 'nvidia',
    segment: 'datacenter',
    memoryBytes: gib(32),
    bandwidthGBps: 900,
    tflops: { fp32: 15.7, fp16: 125 },
    source: 'NVIDIA V100 Tensor Core GPU datasheet (SXM2)',
  },
  {
    id: 'a10',
    name: 'A10',
    vendor: 'nvidia',
    segment: 'datacenter',
    memoryBytes: gib(24),
    bandwidthGBps: 600,
    tflops: { fp32: 31.2, fp16: 125, bf16: 125, int8: 250 },
    source: 'NVIDIA A10 Tensor Core GPU datasheet',
  },
  {
    id: 'l4',
    name: 'L4',
    vendor: 'nvidia',
    segment: 'datacenter',
    memoryBytes: gib(24),
    bandwidthGBps: 300,
    tflops: { fp32: 30.3, fp16: 121, bf16: 121, fp8: 242.5, int8: 242.5 },
    source: 'NVIDIA L4 Tensor Core GPU datasheet (sparse figures halved)',
  },
  {
    id: 'l40s',
    name: 'L40S',
    vendor: 'nvidia',
    segment: 'datacenter',
    memoryBytes: gib(48),
    bandwidthGBps: 864,
    tflops: { fp32: 91.6, fp16: 362.05, bf16: 362.05, fp8: 733, int8: 733 },
    source: 'NVIDIA L40S datasheet (sparse figures halved)',
  },
  {
    id: 'a100-40gb',
    name: 'A100 SXM4 40GB',
    vendor: 'nvidia',
    segment: 'datacenter',
    memoryBytes: gib(40),
    bandwidthGBps: 1555,
    tflops: { fp32: 19.5, fp16: 312, bf16: 312, int8: 624 },
    source: 'NVIDIA A100 Tensor Core GPU datasheet',
  },
  {
    id: 'a100-80gb',
    name: 'A100 SXM4 80GB',
    vendor: 'nvidia',
    segment: 'datacenter',
    memoryBytes: gib(80),
    cudaTotalBytes: gib2(79.15),
    cudaTotalSource: 'PyTorch OOM message "79.15 GiB total capacity" (A100-SXM4-80GB)',
    bandwidthGBps: 2039,
    tflops: { fp32: 19.5, fp16: 312, bf16: 312, int8: 624 },
    source: 'NVIDIA A100 Tensor Core GPU datasheet',
  },
  {
    id: 'h100-pcie',
    name: 'H100 PCIe 80GB',
    vendor: 'nvidia',
    segment: 'datacenter',
    memoryBytes: gib(80),
    bandwidthGBps: 2000,
    tflops: { fp32: 51.2, fp16: 756, bf16: 756, fp8: 1513, int8: 1513 },
    source: 'NVIDIA H100 Tensor Core GPU datasheet (sparse figures halved)',
  },
  {
    id: 'h100-80gb',
    name: 'H100 SXM5 80GB',
    vendor: 'nvidia',
    segment: 'datacenter',
    memoryBytes: gib(80),
    cudaTotalBytes: gib2(79.22),
    cudaTotalSource: 'vLLM log "total_gpu_memory (79.22GiB)" on H100-80G (vllm-project/vllm PR #12126)',
    bandwidthGBps: 3350,
    tflops: { fp32: 66.9, fp16: 989.4, bf16: 989.4, fp8: 1978.9, int8: 1978.9 },
    source: 'NVIDIA H100 Tensor Core GPU datasheet (sparse figures halved)',
  },
  {
    id: 'h100-nvl',
    name: 'H100 NVL 94GB',
    vendor: 'nvidia',
    segment: 'datacenter',
    memoryBytes: gib(94),
    bandwidthGBps: 3900,
    tflops: { fp32: 60, fp16: 835, bf16: 835, fp8: 1670.5, int8: 1670.5 },
    source: 'NVIDIA H100 Tensor Core GPU datasheet, H100 NVL column (sparse figures halved)',
  },
  {
    id: 'h200',
    name: 'H200 SXM 141GB',
    vendor: 'nvidia',
    segment: 'datacenter',
    memoryBytes: gib(141),
    cudaTotalBytes: mib(143_771),
    cudaTotalSource: 'nvidia-smi memory.total 143,771 MiB (H200)',
    bandwidthGBps: 4800,
    tflops: { fp32: 66.9, fp16: 989.4, bf16: 989.4, fp8: 1978.9, int8: 1978.9 },
    source: 'NVIDIA H200 Tensor Core GPU datasheet (sparse figures halved)',
  },
  {
    id: 'b200',
    name: 'B200 180GB',
    vendor: 'nvidia',
    segment: 'datacenter',
    memoryBytes: gib(180),
    bandwidthGBps: 8000,
    tflops: { fp32: 75, fp16: 2250, bf16: 2250, fp8: 4500, int8: 4500 },
    source: 'NVIDIA HGX B200 datasheet, per GPU (system figures / 8, sparse halved)',
  },
  {
    id: 'mi250',
    name: 'AMD Instinct MI250',
    vendor: 'amd',
    segment: 'datacenter',
    memoryBytes: gib(128),
    bandwidthGBps: 3276.8,
    tflops: { fp32: 45.3, fp16: 362.1, bf16: 362.1, int8: 362.1 },
    source: 'AMD Instinct MI250 accelerator specifications (amd.com)',
  },
  {
    id: 'mi250x',
    name: 'AMD Instinct MI250X',
    vendor: 'amd',
    segment: 'datacenter',
    memoryBytes: gib(128),
    bandwidthGBps: 3276.8,
    tflops: { fp32: 47.9, fp16: 383, bf16: 383, int8: 383 },
    source: 'AMD Instinct MI250X accelerator specifications (amd.com)',
  },
  {
    id: 'mi300x',
    name: 'AMD Instinct MI300X',
    vendor: 'amd',
    segment: 'datacenter',
    memoryBytes: gib(192),
    bandwidthGBps: 5300,
    tflops: { fp32: 163.4, fp16: 1307.4, bf16: 1307.4, fp8: 2614.9, int8: 2614.9 },
    source: 'AMD Instinct MI300X data sheet (amd.com), dense figures',
  },
  {
    id: 'mi325x',
    name: 'AMD Instinct MI325X',
    vendor: 'amd',
    segment: 'datacenter',
    memoryBytes: gib(256),
    bandwidthGBps: 6000,
    tflops: { fp32: 163.4, fp16: 1307.4, bf16: 1307.4, fp8: 2614.9, int8: 2614.9 },
    source: 'AMD Instinct MI325X data sheet (amd.com), dense figures',
  },
  // Apple unified memory (largest configuration of each chip)
  {
    id: 'm1-max-64gb',
    name: 'Apple M1 Max 64GB',
    vendor: 'apple',
    segment: 'apple',
    memoryBytes: gib(64),
    gpuUsableFraction: 0.75,
    bandwidthGBps: 400,
    tflops: { fp32: 10.4, fp16: 10.4 },
    source: APPLE_WIRED,
  },
  {
    id: 'm1-ultra-128gb',
    name: 'Apple M1 Ultra 128GB',
    vendor: 'apple',
    segment: 'apple',
    memoryBytes: gib(128),
    gpuUsableFraction: 0.75,
    bandwidthGBps: 800,
    tflops: { fp32: 21, fp16: 21 },
    source: APPLE_WIRED,
  },
  {
    id: 'm2-16gb',
    name: 'Apple M2 16GB',
    vendor: 'apple',
    segment: 'apple',
    memoryBytes: gib(16),
    gpuUsableFraction: 2 / 3,
    bandwidthGBps: 100,
    tflops: { fp32: 3.6, fp16: 3.6 },
    source: APPLE_WIRED,
  },
  {
    id: 'm2-max-96gb',
    name: 'Apple M2 Max 96GB',
    vendor: 'apple',
    segment: 'apple',
    memoryBytes: gib(96),
    gpuUsableFraction: 0.75,
    bandwidthGBps: 400,
    tflops: { fp32: 13.6, fp16: 13.6 },
    source: APPLE_WIRED,
  },
  {
    id: 'm2-ultra-192gb',
    name: 'Apple M2 Ultra 192GB',
    vendor: 'apple',
    segment: 'apple',
    memoryBytes: gib(192),
    gpuUsableFraction: 0.75,
    bandwidthGBps: 800,
    tflops: { fp32: 27.2, fp16: 27.2 },
    source: APPLE_WIRED,
  },
  {
    id: 'm3-max-128gb',
    name: 'Apple M3 Max 128GB',
    vendor: 'apple',
    segment: 'apple',
    memoryBytes: gib(128),
    gpuUsableFraction: 0.75,
    bandwidthGBps: 400,
    tflops: { fp32: 16.4, fp16: 16.4 },
    source: APPLE_WIRED,
  },
  {
    id: 'm3-ultra-512gb',
    name: 'Apple M3 Ultra 512GB',
    vendor: 'apple',
    segment: 'apple',
    memoryBytes: gib(512),
    gpuUsableFraction: 0.75,
    bandwidthGBps: 819,
    tflops: { fp32: 32.8, fp16: 32.8 },
    source: APPLE_WIRED,
  },
  {
    id: 'm4-16gb',
    name: 'Apple M4 16GB',
    vendor: 'apple',
    segment: 'apple',
    memoryBytes: gib(16),
    gpuUsableFraction: 2 / 3,
    bandwidthGBps: 120,
    tflops: { fp32: 4.3, fp16: 4.3 },
    source: APPLE_WIRED,
  },
  {
    id: 'm4-pro-48gb',
    name: 'Apple M4 Pro 48GB',
    vendor: 'apple',
    segment: 'apple',
    memoryBytes: gib(48),
    gpuUsableFraction: 0.75,
    bandwidthGBps: 273,
    tflops: { fp32: 9.2, fp16: 9.2 },
    source: APPLE_WIRED,
  },
  {
    id: 'm4-max-128gb',
    name: 'Apple M4 Max 128GB',
    vendor: 'apple',
    segment: 'apple',
    memoryBytes: gib(128),
    gpuUsableFraction: 0.75,
    bandwidthGBps: 546,
    tflops: { fp32: 18.4, fp16: 18.4 },
    source: APPLE_WIRED,
  },
] as const satisfies readonly GpuSpec[];

/** Ids of the catalogue. */
export type GpuId = (typeof GPUS)[number]['id'];

/**
 * Memory the GPU can give a process, in bytes: CUDA's reported total where the catalogue knows it,
 * the installed memory otherwise, and for unified memory the share Metal lets the GPU wire.
 * @param gpu a catalogue entry or a custom {@link GpuSpec}
 */
export function gpuCapacityBytes(gpu: GpuSpec): number {
  if (gpu.gpuUsableFraction !== undefined) return Math.floor(gpu.memoryBytes * gpu.gpuUsableFraction);
  return gpu.cudaTotalBytes ?? gpu.memoryBytes;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}

const normalizeId = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/^(nvidia|geforce|amd|apple|instinct)[\s-]+/g, '')
    .replace(/[\s_]+/g, '-');

/**
 * A GPU from the catalogue by id (case and spacing forgiven: `RTX 4090`, `rtx_4090`).
 * @param id catalogue id, e.g. `rtx-4090`, `h100-80gb`
 * @returns the catalogue entry
 * @throws NoSuchGpuError listing the closest ids when none matches
 */
export function lookupGpu(id: string): GpuSpec {
  const key = normalizeId(id);
  const hit = GPUS.find((g) => g.id === key);
  if (hit) return hit;
  const ranked = GPUS.map((g) => ({
    id: g.id,
    d: g.id.includes(key) || key.includes(g.id) ? 0 : editDistance(key, g.id),
  }))
    .sort((a, b) => a.d - b.d)
    .filter((r) => r.d <= Math.max(3, Math.floor(key.length / 2)))
    .slice(0, 5)
    .map((r) => r.id);
  throw new NoSuchGpuError(id, ranked);
}

/**
 * A GPU of exactly `bytes` of usable memory (`--gpu-memory 23.58GiB`), for when the card is not in the
 * catalogue or its free memory is what matters. Bandwidth and TFLOPs are unknown (0) unless given.
 */
export function customGpu(
  bytes: number,
  extra: Partial<Pick<GpuSpec, 'bandwidthGBps' | 'tflops' | 'name'>> = {},
): GpuSpec {
  return {
    id: 'custom',
    name: extra.name ?? `custom ${(bytes / GIB).toFixed(2)} GiB`,
    vendor: 'nvidia',
    segment: 'datacenter',
    memoryBytes: bytes,
    cudaTotalBytes: bytes,
    cudaTotalSource: 'given on the command line',
    bandwidthGBps: extra.bandwidthGBps ?? 0,
    tflops: extra.tflops ?? { fp32: 0, fp16: 0 },
    source: 'user-supplied capacity',
  };
}
