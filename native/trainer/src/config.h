// init settings: parsed and checked before anything is loaded, so a bad value answers an error naming the field.
#pragma once
#include <string>

#include "lora.h"
#include "nlohmann/json.hpp"

using json = nlohmann::json;

struct OptimConfig {
    double lr = 1e-5;
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    double weight_decay = 0.0;
    double max_grad_norm = 1.0;  // <= 0: no clipping
    std::string schedule = "constant";  // constant | cosine
    int64_t warmup_steps = 0;
    int64_t total_steps = 0;     // needed by cosine
    double min_lr_ratio = 0.0;
};

struct GrpoConfig {
    double epsilon_low = 0.2, epsilon_high = 0.2;
    double beta = 0.0;                       // KL to the base (adapter off)
    bool scale_rewards = true;               // false: Dr. GRPO (no std scaling)
    std::string loss_agg = "token-mean";     // token-mean | seq-mean-token-mean | dr-grpo
    int64_t max_completion_length = 0;       // Dr. GRPO constant; 0: the longest completion in the step
    bool skip_zero_std_groups = true;
    int ppo_epochs = 1;
    int micro_batch = 16;                    // sequences per forward/backward pass
    int64_t max_logits_bytes = 256ll << 20;  // and at most this much F32 logits per pass
};

struct SftConfig {
    int micro_batch = 16;  // sequences per forward/backward pass of sft / loss
};

struct TrainerConfig {
    std::string model;
    std::string mode = "lora";  // lora: adapters on a frozen base; full: every weight trains
    int threads = 1;
    int threads_requested = 0;  // what init asked for (0: all cores)
    uint64_t seed = 0;
    LoraConfig lora;
    bool lora_rank_given = false, lora_alpha_given = false, lora_targets_given = false;
    OptimConfig optim;
    GrpoConfig grpo;
    SftConfig sft;
    std::string resume;     // checkpoint: adapter, moments, update count, RNG
    std::string init_from;  // adapter: weights only, fresh optimizer
    bool full() const { return mode == "full"; }
};

// Reads a typed optional setting; a wrong type names the key.
template <typename T>
T opt_get(const json & j, const char * key, T def) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return def;
    try {
        return j[key].get<T>();
    } catch (const std::exception &) {
        throw std::runtime_error(std::string("setting '") + key + "' has the wrong type");
    }
}

TrainerConfig parse_config(const json & init);
