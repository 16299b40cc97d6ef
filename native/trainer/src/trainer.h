// GRPO and sft on LoRA adapters or (mode "full") on every weight: the session a successful `init` creates (backends,
// model, adapters or full parameters, optimizer) and the commands it answers. The pieces live in config.cpp (settings), backends.cpp (which device trains), batch.cpp
// (groups -> sequences -> micro-batches), pass.cpp (one forward/backward pass on the scheduler), loss.cpp (the GRPO
// objective), optimizer.cpp (AdamW) and diagnostics.cpp (gradcheck, matmulPeak, the profiler).
#pragma once
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "backends.h"
#include "config.h"
#include "full.h"
#include "graph.h"
#include "lora.h"
#include "model.h"

struct Sequence {
    std::vector<int32_t> tokens;
    int64_t prompt_len = 0;  // tokens[prompt_len..] are the completion
    double advantage = 0.0;
    double weight = 0.0;     // per-token loss weight (aggregation)
    std::vector<float> old_logp, ref_logp;  // per completion token
    // sft / loss: the loss weight of predicting token j (index j; entry 0 unused), in place of advantage x weight
    std::vector<float> tok_w;
};

struct BatchResult {
    double loss = 0.0;
    std::vector<std::vector<float>> logp;     // per sequence, per completion token
    std::vector<std::vector<float>> entropy;
};

// Where the last pass ran: graph splits and nodes per backend.
struct Placement {
    int splits = 0, copies = 0;
    std::vector<std::pair<std::string, int>> nodes;
    json to_json() const;
};

class Trainer {
public:
    explicit Trainer(const json & init);
    ~Trainer();
    json ready_info() const;
    std::vector<std::vector<float>> logprobs(const std::vector<std::vector<int32_t>> & seqs, bool adapter);
    json step(const json & cmd);
    // Next-token cross-entropy over masked targets: sft makes one optimizer update, loss only measures.
    json sft(const json & cmd);
    json loss(const json & cmd);
    json gradcheck(const json & cmd);
    json save(const json & cmd);
    // Measured mul_mat throughput of this backend (the peak a training step is compared against).
    json matmul_peak(const json & cmd);

private:
    TrainerConfig cfg_;
    std::unique_ptr<Backends> be_;
    std::unique_ptr<Model> model_;
    std::unique_ptr<Lora> lora_;        // lora mode
    std::unique_ptr<FullParams> full_;  // full mode
    std::mt19937_64 rng_;
    int64_t updates_ = 0;
    ggml_backend_sched_t sched_ = nullptr;
    size_t graph_size_ = 0;
    ggml_backend_buffer_t one_buf_ = nullptr;
    ggml_context * one_ctx_ = nullptr;
    ggml_tensor * one_ = nullptr;  // dL/dL = 1, the seed of the backward pass
    ggml_tensor * iota_ = nullptr; // I32 0, 1, ... over the most rows of a weight: its get_rows widens it (GPU only)
    std::vector<std::vector<float>> grads_;
    Placement placement_;
    size_t compute_bytes_ = 0;

    void load_weights();
    void create_adapters();
    void create_scheduler();
    void check_tokens(const std::vector<int32_t> & toks) const;
    ParamSet & params() const { return full_ ? (ParamSet &) *full_ : (ParamSet &) *lora_; }
    // sequences (+ masks) of an sft / loss / gradcheck command, with per-token weights 1 / (targets of the batch)
    std::vector<Sequence> prepare_sft(const json & cmd, const std::string & what, int64_t & targets) const;
    static double sft_loss(const std::vector<Sequence> & seqs, const BatchResult & r);
    // Runs the forward (and with grads the backward) pass over seqs; completion tokens only are reported.
    // micro_batch 0: grpo.microBatch; entropy: also compute the entropy of each next-token distribution (GRPO metrics)
    BatchResult run(std::vector<Sequence> & seqs, bool adapter, bool grads, bool ppo, int micro_batch = 0, bool entropy = true);
    void run_micro(std::vector<Sequence> & seqs, const std::vector<size_t> & idx, bool adapter, bool grads, bool ppo, bool entropy, BatchResult & out);
    std::vector<Sequence> prepare(const json & groups, json & metrics, bool & ppo);
    double apply_update(double & grad_norm_out);
    std::string rng_state() const;
};
