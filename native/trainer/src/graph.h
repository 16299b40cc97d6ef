// The forward graph of llama / qwen2 / qwen3 built from ggml ops that all have backward passes, over a padded batch
// of B sequences of length T laid out as T*B token rows.
#pragma once
#include "lora.h"
#include "model.h"

struct BatchInputs {
    ggml_tensor * tokens = nullptr;     // I32 [T*B]
    ggml_tensor * positions = nullptr;  // I32 [T*B]
    ggml_tensor * mask = nullptr;       // F32 [T, T] causal mask (0 / -inf)
    // the next token of each row, for the gather of its log-prob (graph.cpp); a graph reads one of the two
    ggml_tensor * target_rows = nullptr;  // I32 [T*B] flat index row*n_vocab + next token (get_rows gather)
    ggml_tensor * target_ids = nullptr;   // F32 [1, T*B] next token id (one-hot gather)
};

struct ForwardOut {
    ggml_tensor * logp = nullptr;     // [T*B] log p(next token | prefix)
    ggml_tensor * entropy = nullptr;  // [T*B] entropy of the next-token distribution (optional)
};

BatchInputs make_inputs(ggml_context * ctx, int64_t T, int64_t B);
// onehot_gather: gather p(target) with a one-hot product instead of get_rows, for a backward pass on a GPU, where
// get_rows' backward is O(V*N^2).
ForwardOut build_forward(ggml_context * ctx, const Model & model, const Lora * lora, const BatchInputs & in, int64_t T, int64_t B,
                         bool want_entropy, bool onehot_gather);
