// Frozen base model: hyper-parameters and weights read from a GGUF file with ggml's gguf API.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ggml.h"
#include "ggml-backend.h"
#include "gguf.h"

struct LayerWeights {
    ggml_tensor * attn_norm = nullptr;
    ggml_tensor * wq = nullptr, * wk = nullptr, * wv = nullptr, * wo = nullptr;
    ggml_tensor * bq = nullptr, * bk = nullptr, * bv = nullptr;  // qwen2 attention biases
    ggml_tensor * q_norm = nullptr, * k_norm = nullptr;           // qwen3 per-head RMS norm
    ggml_tensor * ffn_norm = nullptr;
    ggml_tensor * ffn_gate = nullptr, * ffn_up = nullptr, * ffn_down = nullptr;
};

struct HParams {
    std::string arch;
    int64_t n_vocab = 0, n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, n_ff = 0;
    int64_t head_dim = 0, n_rot = 0, n_ctx_train = 0;
    float eps = 1e-5f, freq_base = 10000.0f, freq_scale = 1.0f;
    int rope_mode = 0;
};

struct Model {
    HParams hp;
    ggml_context * ctx = nullptr;          // tensor metadata from the GGUF (no data)
    gguf_context * gguf = nullptr;
    ggml_backend_buffer_t buf = nullptr;   // weights on the compute backend
    ggml_tensor * tok_embd = nullptr, * out_norm = nullptr, * output = nullptr, * rope_freqs = nullptr;
    std::vector<LayerWeights> layers;
    int64_t n_params = 0;
    size_t weight_bytes = 0;

    ~Model();
};

// Throws std::runtime_error with a message naming the file and the key, tensor or type that is wrong or unsupported.
// on_cpu: weights keep their GGUF type (the CPU has out_prod for them) but BF16, widened to F32; on a GPU matrices
// keep their type (the backward widens them in the compute graph, pass.cpp) and vectors are widened.
// full: every weight is trained, so every tensor is widened to F32 and quantized ones are refused naming the tensor.
Model * load_model(const std::string & path, ggml_backend_t backend, bool on_cpu, bool full = false);

// Supported LoRA targets, in the order llama.cpp names them.
const std::vector<std::string> & lora_target_names();
ggml_tensor * layer_target(LayerWeights & l, const std::string & name);
