// The GRPO objective over per-token log-probs, built from ggml ops that have backward passes.
#pragma once
#include "config.h"
#include "ggml.h"

struct LossInputs {
    ggml_tensor * adv_w = nullptr;  // advantage x aggregation weight, per token row
    ggml_tensor * kl_w = nullptr;   // beta x aggregation weight
    ggml_tensor * old = nullptr;    // log-probs of the sampling policy (PPO ratio)
    ggml_tensor * ref = nullptr;    // log-probs of the base (KL)
    ggml_tensor * mask = nullptr;   // 1 on completion tokens
};

// Returns the scalar loss; `in` receives the F32 [N] inputs the caller fills.
ggml_tensor * build_grpo_loss(ggml_context * ctx, ggml_tensor * logp, int64_t N, const GrpoConfig & grpo, bool ppo, LossInputs & in);
