#include "config.h"

#include <cmath>
#include <stdexcept>
#include <thread>

namespace {

[[noreturn]] void bad(const std::string & field, const std::string & what) {
    throw std::runtime_error("init: " + field + " " + what);
}

double finite(const json & j, const char * key, const std::string & field, double def) {
    const double v = opt_get<double>(j, key, def);
    if (!std::isfinite(v)) bad(field, "must be a finite number");
    return v;
}

json section(const json & init, const char * key) {
    if (!init.contains(key) || init[key].is_null()) return json::object();
    if (!init[key].is_object()) bad(key, "must be an object");
    return init[key];
}

}  // namespace

TrainerConfig parse_config(const json & init) {
    TrainerConfig c;
    if (!init.contains("model") || !init["model"].is_string()) throw std::runtime_error("init needs 'model' (path to a GGUF file)");
    c.model = init["model"].get<std::string>();

    // More threads than cores only slows ggml's thread pool down (and 100000 would not start): clamp to the machine.
    const int64_t threads = opt_get<int64_t>(init, "threads", 0);
    if (threads < 0) bad("threads", "must be >= 0 (0: all cores), got " + std::to_string(threads));
    const int cores = (int) std::max(1u, std::thread::hardware_concurrency());
    c.threads_requested = (int) std::min<int64_t>(threads, 1 << 30);
    c.threads = threads == 0 ? cores : (int) std::min<int64_t>(threads, cores);
    c.seed = opt_get<uint64_t>(init, "seed", 0);

    c.mode = opt_get<std::string>(init, "mode", c.mode);
    if (c.mode != "lora" && c.mode != "full") bad("mode", "must be 'lora' or 'full', got '" + c.mode + "'");
    const json lj = section(init, "lora");
    if (c.full() && !lj.empty())
        bad("lora." + lj.begin().key(), "is a LoRA setting; mode 'full' trains every weight and takes no lora.* settings");
    c.lora_rank_given = lj.contains("rank") && !lj["rank"].is_null();
    c.lora_alpha_given = lj.contains("alpha") && !lj["alpha"].is_null();
    c.lora_targets_given = lj.contains("targets") && !lj["targets"].is_null();
    const int64_t rank = opt_get<int64_t>(lj, "rank", c.lora.rank);
    if (rank < 1 || rank > 4096) bad("lora.rank", "must be in [1, 4096], got " + std::to_string(rank));
    c.lora.rank = (int) rank;
    c.lora.alpha = (float) finite(lj, "alpha", "lora.alpha", c.lora.alpha);
    if (c.lora.alpha <= 0) bad("lora.alpha", "must be > 0");
    c.lora.targets = opt_get<std::vector<std::string>>(lj, "targets", c.lora.targets);
    if (c.lora.targets.empty()) bad("lora.targets", "is empty");
    c.lora.init_b_std = (float) finite(lj, "initBStd", "lora.initBStd", 0.0);
    if (c.lora.init_b_std < 0) bad("lora.initBStd", "must be >= 0");
    c.init_from = opt_get<std::string>(lj, "initFrom", "");

    const json oj = section(init, "optim");
    OptimConfig & o = c.optim;
    o.lr = finite(oj, "lr", "optim.lr", o.lr);
    if (o.lr < 0) bad("optim.lr", "must be >= 0");
    if (oj.contains("betas")) {
        const auto b = opt_get<std::vector<double>>(oj, "betas", {});
        if (b.size() != 2) bad("optim.betas", "must be [beta1, beta2]");
        o.beta1 = b[0];
        o.beta2 = b[1];
        if (!(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1)) bad("optim.betas", "must both be in [0, 1)");
    }
    o.eps = finite(oj, "eps", "optim.eps", o.eps);
    if (o.eps <= 0) bad("optim.eps", "must be > 0");
    o.weight_decay = finite(oj, "weightDecay", "optim.weightDecay", o.weight_decay);
    if (o.weight_decay < 0) bad("optim.weightDecay", "must be >= 0");
    o.max_grad_norm = finite(oj, "maxGradNorm", "optim.maxGradNorm", o.max_grad_norm);
    o.schedule = opt_get<std::string>(oj, "schedule", o.schedule);
    o.warmup_steps = opt_get<int64_t>(oj, "warmupSteps", o.warmup_steps);
    o.total_steps = opt_get<int64_t>(oj, "totalSteps", o.total_steps);
    o.min_lr_ratio = finite(oj, "minLrRatio", "optim.minLrRatio", o.min_lr_ratio);
    if (o.schedule != "constant" && o.schedule != "cosine") throw std::runtime_error("optim.schedule must be 'constant' or 'cosine'");
    if (o.schedule == "cosine" && o.total_steps <= 0) throw std::runtime_error("optim.schedule 'cosine' needs optim.totalSteps");
    if (o.warmup_steps < 0) bad("optim.warmupSteps", "must be >= 0");
    if (o.total_steps < 0) bad("optim.totalSteps", "must be >= 0");
    if (o.min_lr_ratio < 0 || o.min_lr_ratio > 1) bad("optim.minLrRatio", "must be in [0, 1]");

    const json gj = section(init, "grpo");
    GrpoConfig & g = c.grpo;
    g.epsilon_low = finite(gj, "epsilonLow", "grpo.epsilonLow", finite(gj, "epsilon", "grpo.epsilon", g.epsilon_low));
    g.epsilon_high = finite(gj, "epsilonHigh", "grpo.epsilonHigh", g.epsilon_low);
    if (g.epsilon_low < 0 || g.epsilon_low >= 1) bad("grpo.epsilonLow", "must be in [0, 1)");
    if (g.epsilon_high < 0) bad("grpo.epsilonHigh", "must be >= 0");
    g.beta = finite(gj, "beta", "grpo.beta", g.beta);
    if (g.beta < 0) bad("grpo.beta", "must be >= 0");
    g.scale_rewards = opt_get<bool>(gj, "scaleRewards", g.scale_rewards);
    g.loss_agg = opt_get<std::string>(gj, "lossAggregation", g.loss_agg);
    g.max_completion_length = opt_get<int64_t>(gj, "maxCompletionLength", 0);
    if (g.max_completion_length < 0) bad("grpo.maxCompletionLength", "must be >= 0");
    g.skip_zero_std_groups = opt_get<bool>(gj, "skipZeroStdGroups", g.skip_zero_std_groups);
    const int64_t ppo = opt_get<int64_t>(gj, "ppoEpochs", g.ppo_epochs);
    const int64_t mb = opt_get<int64_t>(gj, "microBatch", g.micro_batch);
    g.max_logits_bytes = opt_get<int64_t>(gj, "maxLogitsBytes", g.max_logits_bytes);
    if (g.loss_agg != "token-mean" && g.loss_agg != "seq-mean-token-mean" && g.loss_agg != "dr-grpo")
        throw std::runtime_error("grpo.lossAggregation must be token-mean, seq-mean-token-mean or dr-grpo");
    if (ppo < 1) throw std::runtime_error("grpo.ppoEpochs must be >= 1");
    if (ppo > 1000) bad("grpo.ppoEpochs", "must be <= 1000");
    if (mb < 1) throw std::runtime_error("grpo.microBatch must be >= 1");
    if (mb > 65536) bad("grpo.microBatch", "must be <= 65536");
    if (g.max_logits_bytes <= 0) bad("grpo.maxLogitsBytes", "must be > 0");
    g.ppo_epochs = (int) ppo;
    g.micro_batch = (int) mb;

    if (c.full() && g.beta > 0.0)
        bad("grpo.beta", "needs a frozen reference model (the base under the adapter); mode 'full' has none, so it must be 0");

    const json sj = section(init, "sft");
    const int64_t smb = opt_get<int64_t>(sj, "microBatch", c.sft.micro_batch);
    if (smb < 1 || smb > 65536) bad("sft.microBatch", "must be in [1, 65536], got " + std::to_string(smb));
    c.sft.micro_batch = (int) smb;

    c.resume = opt_get<std::string>(init, "resume", "");
    if (!c.resume.empty() && !c.init_from.empty())
        throw std::runtime_error("init: 'resume' and 'lora.initFrom' exclude each other (resume continues a run, initFrom starts a new one)");
    return c;
}
