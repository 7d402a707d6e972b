/** Copied from ../shared/data/runtime_logs.json (llama.cpp CI logs and vLLM PR threads); every record keeps its source. */
export const runtimeLogs = {
 "llama_cpp": [
  {
   "engine": "llama.cpp",
   "model": "EleutherAI/pythia-1.4b",
   "gguf_file": "pythia/1.4B/ggml-model-q4_1.gguf (llama.cpp CI conversion)",
   "general_name": "1.4B",
   "quant": "Q4_1",
   "settings": {
    "n_ctx": 2048,
    "n_batch": 2048,
    "n_ubatch": 512,
    "flash_attn": 0,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "25/25",
    "device": "Apple M4 (Metal)",
    "command": "llama-cli -ngl 99 -c 0 (n_ctx = n_ctx_train = 2048)",
    "build": "4801 (ece9745b)"
   },
   "figures": {
    "file_size_MiB": 864.46,
    "model_params_B": 1.41,
    "model_buffer_MiB": {
     "Metal_Mapped": 864.47,
     "CPU_Mapped": 61.41
    },
    "kv_self_size_MiB": 384,
    "kv_K_MiB": 192,
    "kv_V_MiB": 192,
    "kv_buffer_MiB": {
     "Metal": 384
    },
    "compute_buffer_MiB": {
     "Metal": 102.25,
     "CPU": 8.01
    },
    "output_buffer_MiB": {
     "CPU": 0.19
    }
   },
   "source": "https://github.com/ggml-org/ci/blob/6c88f108f23d8a7a739278bd36ad6c6c8a510f15/llama.cpp/ec/e9745bb8079b9f4af45df29b67ad0c6e50584d/ggml-100-mac-m4/README.md",
   "source_note": "llama.cpp CI output (pythia_1_4b, q4_1 llama-cli run)"
  },
  {
   "engine": "llama.cpp",
   "model": "EleutherAI/pythia-1.4b",
   "gguf_file": "pythia/1.4B/ggml-model-q4_1.gguf (llama.cpp CI conversion)",
   "general_name": "1.4B",
   "quant": "Q4_1",
   "settings": {
    "n_ctx": 128,
    "n_batch": 128,
    "n_ubatch": 128,
    "flash_attn": 0,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "25/25",
    "device": "Apple M4 (Metal)",
    "command": "llama-perplexity -ngl 99 -c 128 -b 128 --chunks 1",
    "build": "4801 (ece9745b)"
   },
   "figures": {
    "file_size_MiB": 864.46,
    "model_params_B": 1.41,
    "model_buffer_MiB": {
     "Metal_Mapped": 864.47,
     "CPU_Mapped": 61.41
    },
    "kv_self_size_MiB": 24,
    "kv_K_MiB": 12,
    "kv_V_MiB": 12,
    "kv_buffer_MiB": {
     "Metal": 24
    },
    "compute_buffer_MiB": {
     "Metal": 25.56,
     "CPU": 1.06
    },
    "output_buffer_MiB": {
     "CPU": 0.19
    }
   },
   "source": "https://github.com/ggml-org/ci/blob/6c88f108f23d8a7a739278bd36ad6c6c8a510f15/llama.cpp/ec/e9745bb8079b9f4af45df29b67ad0c6e50584d/ggml-100-mac-m4/README.md",
   "source_note": "llama.cpp CI output (pythia_1_4b, q4_1 llama-perplexity run)"
  },
  {
   "engine": "llama.cpp (via llama-cpp-python in h2oGPT)",
   "model": "cognitivecomputations dolphin-2.2.1-mistral-7b (Mistral-7B-v0.1 fine-tune)",
   "gguf_file": "TheBloke/dolphin-2.2.1-mistral-7B-GGUF (quant file not shown in the excerpt)",
   "general_name": null,
   "quant": "unknown (not in excerpt)",
   "settings": {
    "n_ctx": 4096,
    "layers_offloaded": "35/35",
    "device": "NVIDIA GeForce RTX 3090 Ti",
    "cache_type": "f16 (2023 default)"
   },
   "figures": {
    "model_vram_used_MB": 4807.06,
    "model_cpu_mem_required_MB": 86.04,
    "kv_self_size_MB": 512,
    "compute_buffer_total_MB": 581.88
   },
   "source": "https://github.com/h2oai/h2ogpt/issues/1072",
   "source_note": "old-format log (late 2023) where 'MB' labels are MiB; VRAM used is the weights only; quant type not visible"
  },
  {
   "engine": "llama.cpp",
   "model": "EleutherAI/pythia-2.8b",
   "gguf_file": "pythia/2.8B/ggml-model-f16.gguf (llama.cpp CI conversion)",
   "general_name": "2.8B",
   "quant": "F16",
   "settings": {
    "n_ctx": 512,
    "n_batch": 512,
    "n_ubatch": 512,
    "flash_attn": 0,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "33/33",
    "device": "Tesla V100-PCIE-16GB",
    "command": "main -ngl 999 -n 256 (default n_ctx 512)",
    "build": "3045 (ec03bbc0)"
   },
   "figures": {
    "model_size_GiB": 5.17,
    "model_params_B": 2.78,
    "model_buffer_MiB": {
     "CPU": 245.62,
     "CUDA0": 5049.71
    },
    "kv_self_size_MiB": 160,
    "kv_K_MiB": 80,
    "kv_V_MiB": 80,
    "kv_buffer_MiB": {
     "CUDA0": 160
    },
    "compute_buffer_MiB": {
     "CUDA0": 103.25,
     "CUDA_Host": 6.01
    },
    "output_buffer_MiB": {
     "CUDA_Host": 0.19
    }
   },
   "source": "https://github.com/ggml-org/ci/blob/4d7d6f89eefc00c1fb20105c62c67361be6002c9/llama.cpp/ec/03bbc03849288295970c73fd819eece3e6cf49/ggml-4-x86-cuda-v100/pythia_2_8b-tg-f16.log",
   "source_note": "llama.cpp CI log, first run in the file"
  },
  {
   "engine": "llama.cpp",
   "model": "EleutherAI/pythia-2.8b",
   "gguf_file": "pythia/2.8B/ggml-model-f16.gguf (llama.cpp CI conversion)",
   "general_name": "2.8B",
   "quant": "F16",
   "settings": {
    "n_ctx": 2048,
    "n_batch": 512,
    "n_ubatch": 512,
    "flash_attn": 0,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "33/33",
    "device": "Tesla V100-PCIE-16GB",
    "command": "perplexity -ngl 999 -c 2048 -b 512 --chunks 4",
    "build": "3045 (ec03bbc0)"
   },
   "figures": {
    "model_size_GiB": 5.17,
    "model_params_B": 2.78,
    "model_buffer_MiB": {
     "CPU": 245.62,
     "CUDA0": 5049.71
    },
    "kv_self_size_MiB": 640,
    "kv_K_MiB": 320,
    "kv_V_MiB": 320,
    "kv_buffer_MiB": {
     "CUDA0": 640
    },
    "compute_buffer_MiB": {
     "CUDA0": 162,
     "CUDA_Host": 9.01
    },
    "output_buffer_MiB": {
     "CUDA_Host": 0.77
    }
   },
   "source": "https://github.com/ggml-org/ci/blob/4d7d6f89eefc00c1fb20105c62c67361be6002c9/llama.cpp/ec/03bbc03849288295970c73fd819eece3e6cf49/ggml-4-x86-cuda-v100/pythia_2_8b-tg-f16.log",
   "source_note": "llama.cpp CI log, second run in the file"
  },
  {
   "engine": "llama.cpp",
   "model": "microsoft/Phi-3-medium-128k-instruct",
   "gguf_file": "models-local/Phi-3-medium-128k-instruct/ggml-model-Q4_K_M.gguf",
   "general_name": "Phi3",
   "quant": "Q4_K_M",
   "settings": {
    "n_ctx": 512,
    "n_batch": 512,
    "n_ubatch": 512,
    "flash_attn": 0,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "15/41 (-ngl 15)",
    "device": "NVIDIA GeForce RTX 2060",
    "build": "2977 (92711138)",
    "command": "./main -m .../ggml-model-Q4_K_M.gguf -i ... -ngl 15"
   },
   "figures": {
    "model_buffer_MiB": {
     "CPU": 8169.25,
     "CUDA0": 3016.11
    },
    "kv_self_size_MiB": 100,
    "kv_K_MiB": 50,
    "kv_V_MiB": 50,
    "kv_buffer_MiB": {
     "CUDA_Host": 62.5,
     "CUDA0": 37.5
    },
    "compute_buffer_MiB": {
     "CUDA0": 231.06,
     "CUDA_Host": "cut off in excerpt"
    },
    "output_buffer_MiB": {
     "CUDA_Host": 0.12
    }
   },
   "source": "https://github.com/ggml-org/llama.cpp/issues/7439",
   "source_note": "comment by Galunid 2024-05-21 (log prints decimal commas, e.g. '8169,25 MiB'); with mmap and partial offload the CPU buffer spans the mapped file, so CPU+CUDA0 exceeds the file size - do not sum"
  },
  {
   "engine": "llama.cpp",
   "model": "openlm-research/open_llama_7b_v2",
   "gguf_file": "open-llama/7B-v2/ggml-model-q4_0.gguf (llama.cpp CI conversion)",
   "general_name": "open-llama",
   "quant": "Q4_0",
   "settings": {
    "n_ctx": 512,
    "n_batch": 512,
    "n_ubatch": 512,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "33/33",
    "device": "Tesla V100-PCIE-16GB",
    "command": "main -t 1 -ngl 999 -n 256 (default n_ctx 512)",
    "build": "2709 (40f74e4d)"
   },
   "figures": {
    "model_size_GiB": 3.56,
    "bpw": 4.54,
    "model_params_B": 6.74,
    "model_buffer_MiB": {
     "CPU": 70.31,
     "CUDA0": 3577.56
    },
    "kv_self_size_MiB": 256,
    "kv_K_MiB": 128,
    "kv_V_MiB": 128,
    "kv_buffer_MiB": {
     "CUDA0": 256
    },
    "compute_buffer_MiB": {
     "CUDA0": 70.5,
     "CUDA_Host": 9.01
    },
    "output_buffer_MiB": {
     "CUDA_Host": 0.12
    }
   },
   "source": "https://github.com/ggml-org/ci/blob/347e926dc5467a76029fd1b278bc951b024eaf53/llama.cpp/40/f74e4d739e9250431cf339ae7588b28d8d0663/ggml-4-x86-cuda-v100/open_llama_7b_v2-tg-q4_0.log",
   "source_note": "llama.cpp CI log (open_llama_7b_v2), first run in file"
  },
  {
   "engine": "llama.cpp",
   "model": "openlm-research/open_llama_7b_v2",
   "gguf_file": "open-llama/7B-v2/ggml-model-q4_0.gguf (llama.cpp CI conversion)",
   "general_name": "open-llama",
   "quant": "Q4_0",
   "settings": {
    "n_ctx": 2048,
    "n_batch": 512,
    "n_ubatch": 512,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "33/33",
    "device": "Tesla V100-PCIE-16GB",
    "command": "perplexity -t 1 -ngl 999 -c 2048 -b 512 --chunks 4",
    "build": "2709 (40f74e4d)"
   },
   "figures": {
    "model_size_GiB": 3.56,
    "bpw": 4.54,
    "model_params_B": 6.74,
    "model_buffer_MiB": {
     "CPU": 70.31,
     "CUDA0": 3577.56
    },
    "kv_self_size_MiB": 1024,
    "kv_K_MiB": 512,
    "kv_V_MiB": 512,
    "kv_buffer_MiB": {
     "CUDA0": 1024
    },
    "compute_buffer_MiB": {
     "CUDA0": 164,
     "CUDA_Host": 12.01
    },
    "output_buffer_MiB": {
     "CUDA_Host": 0.49
    }
   },
   "source": "https://github.com/ggml-org/ci/blob/347e926dc5467a76029fd1b278bc951b024eaf53/llama.cpp/40/f74e4d739e9250431cf339ae7588b28d8d0663/ggml-4-x86-cuda-v100/open_llama_7b_v2-tg-q4_0.log",
   "source_note": "llama.cpp CI log (open_llama_7b_v2), second run in file"
  },
  {
   "engine": "llama.cpp",
   "model": "openlm-research/open_llama_7b_v2",
   "gguf_file": "open-llama/7B-v2/ggml-model-f16.gguf (llama.cpp CI conversion)",
   "general_name": "open-llama",
   "quant": "F16",
   "settings": {
    "n_ctx": 512,
    "n_batch": 512,
    "n_ubatch": 512,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "33/33",
    "device": "Tesla V100-PCIE-16GB",
    "command": "main -t 1 -ngl 999 -n 256 (default n_ctx 512)",
    "build": "2709 (40f74e4d)"
   },
   "figures": {
    "model_size_GiB": 12.55,
    "bpw": 16,
    "model_params_B": 6.74,
    "model_buffer_MiB": {
     "CPU": 250,
     "CUDA0": 12603.02
    },
    "kv_self_size_MiB": 256,
    "kv_K_MiB": 128,
    "kv_V_MiB": 128,
    "kv_buffer_MiB": {
     "CUDA0": 256
    },
    "compute_buffer_MiB": {
     "CUDA0": 70.5,
     "CUDA_Host": 9.01
    },
    "output_buffer_MiB": {
     "CUDA_Host": 0.12
    }
   },
   "source": "https://github.com/ggml-org/ci/blob/347e926dc5467a76029fd1b278bc951b024eaf53/llama.cpp/40/f74e4d739e9250431cf339ae7588b28d8d0663/ggml-4-x86-cuda-v100/open_llama_7b_v2-tg-f16.log",
   "source_note": "llama.cpp CI log (open_llama_7b_v2), first run in file"
  },
  {
   "engine": "llama.cpp",
   "model": "openlm-research/open_llama_7b_v2",
   "gguf_file": "open-llama/7B-v2/ggml-model-f16.gguf (llama.cpp CI conversion)",
   "general_name": "open-llama",
   "quant": "F16",
   "settings": {
    "n_ctx": 2048,
    "n_batch": 512,
    "n_ubatch": 512,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "33/33",
    "device": "Tesla V100-PCIE-16GB",
    "command": "perplexity -t 1 -ngl 999 -c 2048 -b 512 --chunks 4",
    "build": "2709 (40f74e4d)"
   },
   "figures": {
    "model_size_GiB": 12.55,
    "bpw": 16,
    "model_params_B": 6.74,
    "model_buffer_MiB": {
     "CPU": 250,
     "CUDA0": 12603.02
    },
    "kv_self_size_MiB": 1024,
    "kv_K_MiB": 512,
    "kv_V_MiB": 512,
    "kv_buffer_MiB": {
     "CUDA0": 1024
    },
    "compute_buffer_MiB": {
     "CUDA0": 164,
     "CUDA_Host": 12.01
    },
    "output_buffer_MiB": {
     "CUDA_Host": 0.49
    }
   },
   "source": "https://github.com/ggml-org/ci/blob/347e926dc5467a76029fd1b278bc951b024eaf53/llama.cpp/40/f74e4d739e9250431cf339ae7588b28d8d0663/ggml-4-x86-cuda-v100/open_llama_7b_v2-tg-f16.log",
   "source_note": "llama.cpp CI log (open_llama_7b_v2), second run in file"
  },
  {
   "engine": "llama.cpp",
   "model": "openlm-research/open_llama_7b_v2",
   "gguf_file": "open-llama/7B-v2/ggml-model-q4_k.gguf (llama.cpp CI conversion)",
   "general_name": "open-llama",
   "quant": "Q4_K_M",
   "settings": {
    "n_ctx": 512,
    "n_batch": 512,
    "n_ubatch": 512,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "33/33",
    "device": "Tesla V100-PCIE-16GB",
    "command": "main -t 1 -ngl 999 -n 256 (default n_ctx 512)",
    "build": "2709 (40f74e4d)"
   },
   "figures": {
    "model_size_GiB": 3.8,
    "bpw": 4.84,
    "model_params_B": 6.74,
    "model_buffer_MiB": {
     "CPU": 70.31,
     "CUDA0": 3820.94
    },
    "kv_self_size_MiB": 256,
    "kv_K_MiB": 128,
    "kv_V_MiB": 128,
    "kv_buffer_MiB": {
     "CUDA0": 256
    },
    "compute_buffer_MiB": {
     "CUDA0": 70.5,
     "CUDA_Host": 9.01
    },
    "output_buffer_MiB": {
     "CUDA_Host": 0.12
    }
   },
   "source": "https://github.com/ggml-org/ci/blob/347e926dc5467a76029fd1b278bc951b024eaf53/llama.cpp/40/f74e4d739e9250431cf339ae7588b28d8d0663/ggml-4-x86-cuda-v100/open_llama_7b_v2-tg-q4_k.log",
   "source_note": "llama.cpp CI log (open_llama_7b_v2), first run in file"
  },
  {
   "engine": "llama.cpp",
   "model": "openlm-research/open_llama_7b_v2",
   "gguf_file": "open-llama/7B-v2/ggml-model-q4_k.gguf (llama.cpp CI conversion)",
   "general_name": "open-llama",
   "quant": "Q4_K_M",
   "settings": {
    "n_ctx": 2048,
    "n_batch": 512,
    "n_ubatch": 512,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "33/33",
    "device": "Tesla V100-PCIE-16GB",
    "command": "perplexity -t 1 -ngl 999 -c 2048 -b 512 --chunks 4",
    "build": "2709 (40f74e4d)"
   },
   "figures": {
    "model_size_GiB": 3.8,
    "bpw": 4.84,
    "model_params_B": 6.74,
    "model_buffer_MiB": {
     "CPU": 70.31,
     "CUDA0": 3820.94
    },
    "kv_self_size_MiB": 1024,
    "kv_K_MiB": 512,
    "kv_V_MiB": 512,
    "kv_buffer_MiB": {
     "CUDA0": 1024
    },
    "compute_buffer_MiB": {
     "CUDA0": 164,
     "CUDA_Host": 12.01
    },
    "output_buffer_MiB": {
     "CUDA_Host": 0.49
    }
   },
   "source": "https://github.com/ggml-org/ci/blob/347e926dc5467a76029fd1b278bc951b024eaf53/llama.cpp/40/f74e4d739e9250431cf339ae7588b28d8d0663/ggml-4-x86-cuda-v100/open_llama_7b_v2-tg-q4_k.log",
   "source_note": "llama.cpp CI log (open_llama_7b_v2), second run in file"
  },
  {
   "engine": "llama.cpp",
   "model": "openlm-research/open_llama_7b_v2",
   "gguf_file": "open-llama/7B-v2/ggml-model-q8_0.gguf (llama.cpp CI conversion)",
   "general_name": "open-llama",
   "quant": "Q8_0",
   "settings": {
    "n_ctx": 512,
    "n_batch": 512,
    "n_ubatch": 512,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "33/33",
    "device": "Tesla V100-PCIE-16GB",
    "command": "main -t 1 -ngl 999 -n 256 (default n_ctx 512)",
    "build": "2709 (40f74e4d)"
   },
   "figures": {
    "model_size_GiB": 6.67,
    "bpw": 8.5,
    "model_params_B": 6.74,
    "model_buffer_MiB": {
     "CPU": 132.81,
     "CUDA0": 6695.84
    },
    "kv_self_size_MiB": 256,
    "kv_K_MiB": 128,
    "kv_V_MiB": 128,
    "kv_buffer_MiB": {
     "CUDA0": 256
    },
    "compute_buffer_MiB": {
     "CUDA0": 70.5,
     "CUDA_Host": 9.01
    },
    "output_buffer_MiB": {
     "CUDA_Host": 0.12
    }
   },
   "source": "https://github.com/ggml-org/ci/blob/347e926dc5467a76029fd1b278bc951b024eaf53/llama.cpp/40/f74e4d739e9250431cf339ae7588b28d8d0663/ggml-4-x86-cuda-v100/open_llama_7b_v2-tg-q8_0.log",
   "source_note": "llama.cpp CI log (open_llama_7b_v2), first run in file"
  },
  {
   "engine": "llama.cpp",
   "model": "openlm-research/open_llama_7b_v2",
   "gguf_file": "open-llama/7B-v2/ggml-model-q8_0.gguf (llama.cpp CI conversion)",
   "general_name": "open-llama",
   "quant": "Q8_0",
   "settings": {
    "n_ctx": 2048,
    "n_batch": 512,
    "n_ubatch": 512,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "33/33",
    "device": "Tesla V100-PCIE-16GB",
    "command": "perplexity -t 1 -ngl 999 -c 2048 -b 512 --chunks 4",
    "build": "2709 (40f74e4d)"
   },
   "figures": {
    "model_size_GiB": 6.67,
    "bpw": 8.5,
    "model_params_B": 6.74,
    "model_buffer_MiB": {
     "CPU": 132.81,
     "CUDA0": 6695.84
    },
    "kv_self_size_MiB": 1024,
    "kv_K_MiB": 512,
    "kv_V_MiB": 512,
    "kv_buffer_MiB": {
     "CUDA0": 1024
    },
    "compute_buffer_MiB": {
     "CUDA0": 164,
     "CUDA_Host": 12.01
    },
    "output_buffer_MiB": {
     "CUDA_Host": 0.49
    }
   },
   "source": "https://github.com/ggml-org/ci/blob/347e926dc5467a76029fd1b278bc951b024eaf53/llama.cpp/40/f74e4d739e9250431cf339ae7588b28d8d0663/ggml-4-x86-cuda-v100/open_llama_7b_v2-tg-q8_0.log",
   "source_note": "llama.cpp CI log (open_llama_7b_v2), second run in file"
  },
  {
   "engine": "llama.cpp",
   "model": "EleutherAI/pythia-2.8b",
   "gguf_file": "pythia/2.8B/ggml-model-q4_k.gguf (llama.cpp CI conversion)",
   "general_name": "2.8B",
   "quant": "Q4_K_M",
   "settings": {
    "n_ctx": 512,
    "n_batch": 512,
    "n_ubatch": 512,
    "flash_attn": 0,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "33/33",
    "device": "Tesla V100-PCIE-16GB",
    "command": "main -t 1 -ngl 999 -n 256 (default n_ctx 512)",
    "build": "3045 (ec03bbc0)"
   },
   "figures": {
    "model_size_GiB": 1.66,
    "bpw": 5.14,
    "model_params_B": 2.78,
    "model_buffer_MiB": {
     "CPU": 69.08,
     "CUDA0": 1632.95
    },
    "kv_self_size_MiB": 160,
    "kv_K_MiB": 80,
    "kv_V_MiB": 80,
    "kv_buffer_MiB": {
     "CUDA0": 160
    },
    "compute_buffer_MiB": {
     "CUDA0": 103.25,
     "CUDA_Host": 6.01
    },
    "output_buffer_MiB": {
     "CUDA_Host": 0.19
    }
   },
   "source": "https://github.com/ggml-org/ci/blob/4d7d6f89eefc00c1fb20105c62c67361be6002c9/llama.cpp/ec/03bbc03849288295970c73fd819eece3e6cf49/ggml-4-x86-cuda-v100/pythia_2_8b-tg-q4_k.log",
   "source_note": "llama.cpp CI log (pythia_2_8b), first run in file"
  },
  {
   "engine": "llama.cpp",
   "model": "EleutherAI/pythia-2.8b",
   "gguf_file": "pythia/2.8B/ggml-model-q4_k.gguf (llama.cpp CI conversion)",
   "general_name": "2.8B",
   "quant": "Q4_K_M",
   "settings": {
    "n_ctx": 2048,
    "n_batch": 512,
    "n_ubatch": 512,
    "flash_attn": 0,
    "cache_type_k": "f16",
    "cache_type_v": "f16",
    "layers_offloaded": "33/33",
    "device": "Tesla V100-PCIE-16GB",
    "command": "perplexity -t 1 -ngl 999 -c 2048 -b 512 --chunks 4",
    "build": "3045 (ec03bbc0)"
   },
   "figures": {
    "model_size_GiB": 1.66,
    "bpw": 5.14,
    "model_params_B": 2.78,
    "model_buffer_MiB": {
     "CPU": 69.08,
     "CUDA0": 1632.95
    },
    "kv_self_size_MiB": 640,
    "kv_K_MiB": 320,
    "kv_V_MiB": 320,
    "kv_buffer_MiB": {
     "CUDA0": 640
    },
    "compute_buffer_MiB": {
     "CUDA0": 162,
     "CUDA_Host": 9.01
    },
    "output_buffer_MiB": {
     "CUDA_Host": 0.77
    }
   },
   "source": "https://github.com/ggml-org/ci/blob/4d7d6f89eefc00c1fb20105c62c67361be6002c9/llama.cpp/ec/03bbc03849288295970c73fd819eece3e6cf49/ggml-4-x86-cuda-v100/pythia_2_8b-tg-q4_k.log",
   "source_note": "llama.cpp CI log (pythia_2_8b), second run in file"
  }
 ],
 "vllm": [
  {
   "engine": "vLLM",
   "model": "meta-llama/Llama-3.2-11B-Vision",
   "settings": {
    "command": "vllm serve meta-llama/Llama-3.2-11B-Vision --load-format dummy --max-model-len 65536 --max-num-seqs 128 --enforce-eager",
    "max_model_len": 65536,
    "max_num_seqs": 128,
    "gpu_memory_utilization": 0.9,
    "gpu": "H100-80G (total_gpu_memory 79.22GiB)",
    "tensor_parallel_size": 1
   },
   "figures": {
    "usable_GiB": 71.29,
    "model_weights_GiB": 19.86,
    "non_torch_memory_GiB": 0.16,
    "activation_peak_GiB": 36.63,
    "kv_cache_GiB": 14.65,
    "cuda_blocks": 6001,
    "cpu_blocks": 1638
   },
   "source": "https://github.com/vllm-project/vllm/pull/12126",
   "source_note": "PR description by youkaichao, 2025-01-16 (after-fix log); dummy weights, multimodal profiling drives the large activation peak"
  },
  {
   "engine": "vLLM",
   "model": "Llama-2-7B (Llama2-7B as named in the PR)",
   "settings": {
    "tensor_parallel_size": 1,
    "gpu": "1x A100-80GB",
    "gpu_memory_utilization": "0.9 (default, per PR text)",
    "block_size": "not stated (vLLM default 16 at the time)"
   },
   "figures": {
    "gpu_blocks_before_fix": 7449,
    "gpu_blocks_after_fix": 7351
   },
   "source": "https://github.com/vllm-project/vllm/pull/2031",
   "source_note": "comment by WoosukKwon 2023-12-12; blocks only, no weights figure"
  },
  {
   "engine": "vLLM",
   "model": "Llama-2-70B (Llama2-70B as named in the PR)",
   "settings": {
    "tensor_parallel_size": 4,
    "gpu": "4x A100-80GB",
    "gpu_memory_utilization": "0.9 (default, per PR text)",
    "block_size": "not stated (vLLM default 16 at the time)"
   },
   "figures": {
    "gpu_blocks_before_fix": 31615,
    "gpu_blocks_after_fix": 20865,
    "observed_peak_memory_GB_per_gpu_before_fix": "about 77.5GB during benchmark_throughput.py"
   },
   "source": "https://github.com/vllm-project/vllm/pull/2031",
   "source_note": "comment by WoosukKwon 2023-12-12; blocks only"
  },
  {
   "engine": "vLLM",
   "model": "facebook/opt-125m",
   "settings": {
    "dtype": "torch.float16",
    "max_seq_len": 2048,
    "tensor_parallel_size": 1,
    "gpu_memory_utilization": "default",
    "gpu": "not stated"
   },
   "figures": {
    "model_weights_MB": 244.61,
    "gpu_blocks": 76240,
    "cpu_blocks": 7281
   },
   "source": "https://github.com/vllm-project/vllm/pull/3120",
   "source_note": "PR description by mgoin, 2024-02-29 (the PR that added the 'Loading model weights took' log line)"
  }
 ]
} as const;
