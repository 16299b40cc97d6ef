// LoRA adapters on the frozen base: parameters on the backend, a host master copy, AdamW state, GGUF export.
#pragma once
#include <map>
#include <random>
#include <string>
#include <vector>

#include "model.h"

struct LoraPair {
    std::string base_name;  // e.g. blk.3.attn_q.weight
    ggml_tensor * base = nullptr;
    ggml_tensor * a = nullptr;  // [n_in, rank]  (llama.cpp's lora_a layout)
    ggml_tensor * b = nullptr;  // [rank, n_out] (llama.cpp's lora_b layout)
};

struct LoraConfig {
    int rank = 8;
    float alpha = 16.0f;
    std::vector<std::string> targets = lora_target_names();
    float init_b_std = 0.0f;  // B starts at zero (no change to the base); tests may start it random
};

// The trainable tensors of a session (LoRA A/B, or every weight in full mode) with their host master copies and AdamW
// moments: the optimizer, gradient accumulation and gradcheck work on this, whichever mode trains.
struct ParamSet {
    std::vector<ggml_tensor *> params;
    std::vector<std::vector<float>> host;       // master copies of params (F32)
    std::vector<std::vector<float>> m, v;       // AdamW moments
    int64_t n_trainable = 0;
    void upload();  // host master copy -> backend
    virtual ~ParamSet() = default;
};

struct Lora : ParamSet {
    LoraConfig cfg;
    ggml_context * ctx = nullptr;
    ggml_backend_buffer_t buf = nullptr;
    std::vector<LoraPair> pairs;
    std::map<const ggml_tensor *, size_t> by_base;  // params: a0, b0, a1, b1, ...

    float scale() const { return cfg.alpha / (float) cfg.rank; }
    const LoraPair * find(const ggml_tensor * base) const {
        auto it = by_base.find(base);
        return it == by_base.end() ? nullptr : &pairs[it->second];
    }
    ~Lora() override;
};

Lora * create_lora(Model & model, ggml_backend_t backend, const LoraConfig & cfg, std::mt19937_64 & rng);

// Writes a llama.cpp-loadable GGUF LoRA adapter (write to a temp file, then rename).
void save_adapter(const Lora & lora, const Model & model, const std::string & path);

struct CheckpointState {
    int64_t updates = 0;
    std::string rng;
    std::string extra_json;
};
void save_checkpoint(const Lora & lora, const Model & model, const CheckpointState & st, const std::string & path);
// Reads the LoRA config first (so the adapters can be created with the checkpoint's shape), then the tensors.
LoraConfig read_checkpoint_config(const std::string & path);
CheckpointState load_checkpoint(Lora & lora, const std::string & path);

// Copies A/B from a llama.cpp LoRA adapter GGUF into lora (host and backend); the optimizer state is left as it is.
// Throws naming the file and the key or tensor when the adapter does not match (architecture, alpha, a tensor
// missing, an extra one, or a shape).
void load_adapter_weights(Lora & lora, const Model & model, const std::string & path);

// Write to path.tmp.<pid> then rename, so a reader never sees a half-written file.
void atomic_write_gguf(gguf_context * g, const std::string & path);
