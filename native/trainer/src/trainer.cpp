#include "trainer.h"

#include <chrono>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <sys/resource.h>

#include "optimizer.h"

namespace {

size_t peak_rss_bytes() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return (size_t) ru.ru_maxrss * 1024;
}

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

json Placement::to_json() const {
    json n = json::object();
    for (const auto & kv : nodes) n[kv.first] = kv.second;
    return {{"splits", splits}, {"copies", copies}, {"nodes", n}};
}

Trainer::Trainer(const json & init) : cfg_(parse_config(init)) {
    rng_.seed(cfg_.seed);
    be_.reset(open_backends(init, cfg_.threads));
    try {
        load_weights();
        create_adapters();
        create_scheduler();
    } catch (...) {
        // the destructor does not run for a constructor that throws; the unique_ptr members free themselves
        if (sched_) ggml_backend_sched_free(sched_);
        if (one_buf_) ggml_backend_buffer_free(one_buf_);
        if (one_ctx_) ggml_free(one_ctx_);
        throw;
    }
}

Trainer::~Trainer() {
    if (sched_) ggml_backend_sched_free(sched_);
    if (one_buf_) ggml_backend_buffer_free(one_buf_);
    if (one_ctx_) ggml_free(one_ctx_);
    lora_.reset();
    model_.reset();
    be_.reset();
}

void Trainer::load_weights() {
    model_.reset(load_model(cfg_.model, be_->main, !be_->on_gpu()));
}

void Trainer::create_adapters() {
    LoraConfig lc = cfg_.lora;
    if (!cfg_.resume.empty()) {
        // the checkpoint's LoRA shape wins over init's
        const LoraConfig saved = read_checkpoint_config(cfg_.resume);
        lc.rank = saved.rank;
        lc.alpha = saved.alpha;
        lc.targets = saved.targets;
    }
    lora_.reset(create_lora(*model_, be_->main, lc, rng_));
    if (!cfg_.resume.empty()) {
        const CheckpointState st = load_checkpoint(*lora_, cfg_.resume);
        updates_ = st.updates;
        std::istringstream is(st.rng);
        is >> rng_;
    } else if (!cfg_.init_from.empty()) {
        // weights only: the optimizer starts fresh (zero moments, update 0), as a new training stage should
        load_adapter_weights(*lora_, *model_, cfg_.init_from);
    }
    for (auto & h : lora_->host) grads_.emplace_back(h.size(), 0.0f);
}

void Trainer::create_scheduler() {
    ggml_init_params ip = {ggml_tensor_overhead() * 2, nullptr, true};
    one_ctx_ = ggml_init(ip);
    one_ = ggml_new_tensor_1d(one_ctx_, GGML_TYPE_F32, 1);
    one_buf_ = ggml_backend_alloc_ctx_tensors(one_ctx_, be_->main);
    if (!one_buf_) throw std::runtime_error("could not allocate on " + std::string(ggml_backend_name(be_->main)));
    const float one = 1.0f;
    ggml_backend_tensor_set(one_, &one, 0, sizeof(float));
    // the device first, the CPU last: ggml's scheduler runs a node on the first backend that supports it
    std::vector<ggml_backend_t> list = {be_->main};
    if (be_->on_gpu()) list.push_back(be_->cpu);
    graph_size_ = 16384 + (size_t) model_->hp.n_layer * 1024;
    sched_ = ggml_backend_sched_new(list.data(), nullptr, (int) list.size(), graph_size_, false, false);
    if (!sched_) throw std::runtime_error("could not create the backend scheduler");
}

json Trainer::ready_info() const {
    json r = {{"arch", model_->hp.arch},
              {"backend", be_->kind},
              {"device", be_->describe()},
              {"threads", cfg_.threads},
              {"nParams", model_->n_params},
              {"nTrainable", lora_->n_trainable},
              {"nVocab", model_->hp.n_vocab},
              {"nLayer", model_->hp.n_layer},
              {"nEmbd", model_->hp.n_embd},
              {"weightBytes", model_->weight_bytes},
              {"updates", updates_},
              {"lora", {{"rank", lora_->cfg.rank}, {"alpha", lora_->cfg.alpha}, {"targets", lora_->cfg.targets}}}};
    json warnings = json::array();
    if (cfg_.threads_requested > cfg_.threads)
        warnings.push_back("threads " + std::to_string(cfg_.threads_requested) + " clamped to the machine's " + std::to_string(cfg_.threads));
    r["warnings"] = warnings;
    if (!cfg_.init_from.empty()) r["initFrom"] = cfg_.init_from;
    return r;
}

void Trainer::check_tokens(const std::vector<int32_t> & toks) const {
    for (int32_t t : toks)
        if (t < 0 || t >= model_->hp.n_vocab)
            throw std::runtime_error("token id " + std::to_string(t) + " is out of range [0, " + std::to_string(model_->hp.n_vocab) + ")");
}

double Trainer::apply_update(double & grad_norm_out) {
    const double lr = adamw_update(cfg_.optim, updates_, *lora_, grads_, grad_norm_out);
    ++updates_;
    return lr;
}

json Trainer::step(const json & cmd) {
    const double t0 = now_s();
    const GrpoConfig & grpo = cfg_.grpo;
    json metrics = json::object();
    bool ppo = false;
    std::vector<Sequence> seqs = prepare(cmd, metrics, ppo);
    if (seqs.empty()) {
        metrics["skipped"] = true;
        metrics["updates"] = updates_;
        metrics["step_time_s"] = now_s() - t0;
        return metrics;
    }
    int64_t tokens = 0;
    if (ppo && seqs.front().old_logp.empty()) {
        BatchResult cur = run(seqs, true, false, false);
        for (size_t i = 0; i < seqs.size(); ++i) seqs[i].old_logp = cur.logp[i];
        for (const auto & s : seqs) tokens += (int64_t) s.tokens.size();
    }
    if (grpo.beta > 0.0) {
        BatchResult base = run(seqs, false, false, false);
        for (size_t i = 0; i < seqs.size(); ++i) seqs[i].ref_logp = base.logp[i];
        for (const auto & s : seqs) tokens += (int64_t) s.tokens.size();
    }
    double pg_sum = 0, kl_sum = 0, ent_sum = 0, loss_sum = 0, gn_sum = 0, lr = 0;
    int64_t n_tok = 0, clip_low = 0, clip_high = 0;
    for (int e = 0; e < grpo.ppo_epochs; ++e) {
        BatchResult r = run(seqs, true, true, ppo);
        loss_sum += r.loss;
        for (const auto & s : seqs) tokens += (int64_t) s.tokens.size();
        for (size_t i = 0; i < seqs.size(); ++i) {
            const Sequence & s = seqs[i];
            const double A = s.advantage;
            for (size_t j = 0; j < r.logp[i].size(); ++j) {
                const double lp = r.logp[i][j];
                double ratio = 1.0, pg = -A;
                if (ppo) {
                    ratio = std::exp(lp - (double) s.old_logp[j]);
                    const double c = std::min(std::max(ratio, 1.0 - grpo.epsilon_low), 1.0 + grpo.epsilon_high);
                    pg = std::max(-ratio * A, -c * A);
                    clip_low += (ratio < 1.0 - grpo.epsilon_low && A < 0) ? 1 : 0;
                    clip_high += (ratio > 1.0 + grpo.epsilon_high && A > 0) ? 1 : 0;
                }
                pg_sum += pg * s.weight;
                if (grpo.beta > 0.0) {
                    const double d = (double) s.ref_logp[j] - lp;
                    kl_sum += (std::exp(d) - d - 1.0) / (double) r.logp[i].size() / (double) seqs.size();
                }
                ent_sum += r.entropy[i][j];
                ++n_tok;
            }
        }
        double gn = 0;
        lr = apply_update(gn);
        gn_sum += gn;
    }
    const double E = grpo.ppo_epochs;
    const double dt = now_s() - t0;
    metrics["pg_loss"] = pg_sum / E;
    metrics["loss"] = loss_sum / E;
    metrics["kl"] = kl_sum / E;
    metrics["entropy"] = n_tok ? ent_sum / (double) n_tok : 0.0;
    metrics["clip_ratio_low"] = n_tok ? (double) clip_low / (double) n_tok : 0.0;
    metrics["clip_ratio_high"] = n_tok ? (double) clip_high / (double) n_tok : 0.0;
    metrics["clip_ratio"] = n_tok ? (double) (clip_low + clip_high) / (double) n_tok : 0.0;
    metrics["grad_norm"] = gn_sum / E;
    metrics["lr"] = lr;
    metrics["tokens"] = tokens;
    metrics["step_time_s"] = dt;
    metrics["tokens_per_s"] = dt > 0 ? (double) tokens / dt : 0.0;
    metrics["peak_memory_bytes"] = peak_rss_bytes();
    metrics["compute_buffer_bytes"] = compute_bytes_;
    metrics["placement"] = placement_.to_json();
    metrics["updates"] = updates_;
    metrics["skipped"] = false;
    return metrics;
}

std::string Trainer::rng_state() const {
    std::ostringstream os;
    os << rng_;
    return os.str();
}

json Trainer::save(const json & cmd) {
    json res = json::object();
    if (cmd.contains("adapter") && !cmd["adapter"].is_null()) {
        const std::string p = cmd["adapter"].get<std::string>();
        save_adapter(*lora_, *model_, p);
        res["adapter"] = p;
    }
    if (cmd.contains("checkpoint") && !cmd["checkpoint"].is_null()) {
        const std::string p = cmd["checkpoint"].get<std::string>();
        CheckpointState st;
        st.updates = updates_;
        st.rng = rng_state();
        st.extra_json = "{}";
        save_checkpoint(*lora_, *model_, st, p);
        res["checkpoint"] = p;
    }
    if (res.empty()) throw std::runtime_error("save needs 'adapter' and/or 'checkpoint'");
    res["updates"] = updates_;
    return res;
}
