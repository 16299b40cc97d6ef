#include "trainer.h"

#include <algorithm>
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
    full_.reset();
    model_.reset();
    be_.reset();
}

void Trainer::load_weights() {
    model_.reset(load_model(cfg_.model, be_->main, !be_->on_gpu(), cfg_.full()));
}

void Trainer::create_adapters() {
    if (!cfg_.resume.empty()) {
        // a LoRA checkpoint read as a full one (or the other way) would find none of its tensors: say which it is
        const std::string saved = checkpoint_mode(cfg_.resume);
        if (saved != cfg_.mode)
            throw std::runtime_error("resume " + cfg_.resume + ": the checkpoint is from mode '" + saved + "' but init asks for mode '" + cfg_.mode + "'");
    }
    if (cfg_.full()) {
        full_.reset(create_full_params(*model_));
        if (!cfg_.resume.empty()) {
            const CheckpointState st = load_full_checkpoint(*full_, cfg_.resume);
            updates_ = st.updates;
            std::istringstream is(st.rng);
            is >> rng_;
        }
        for (auto & h : full_->host) grads_.emplace_back(h.size(), 0.0f);
        return;
    }
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
    ggml_init_params ip = {ggml_tensor_overhead() * 3, nullptr, true};
    one_ctx_ = ggml_init(ip);
    one_ = ggml_new_tensor_1d(one_ctx_, GGML_TYPE_F32, 1);
    // row indices for widening frozen weights kept in their GGUF type on a GPU (pass.cpp device_ready_graph)
    int64_t rows = 0;
    if (be_->on_gpu())
        for (ggml_tensor * t = ggml_get_first_tensor(model_->ctx); t; t = ggml_get_next_tensor(model_->ctx, t))
            if (t->type != GGML_TYPE_F32) rows = std::max<int64_t>(rows, t->ne[1]);
    if (rows > 0) iota_ = ggml_new_tensor_1d(one_ctx_, GGML_TYPE_I32, rows);
    one_buf_ = ggml_backend_alloc_ctx_tensors(one_ctx_, be_->main);
    if (!one_buf_) throw std::runtime_error("could not allocate on " + std::string(ggml_backend_name(be_->main)));
    const float one = 1.0f;
    ggml_backend_tensor_set(one_, &one, 0, sizeof(float));
    if (iota_) {
        std::vector<int32_t> idx((size_t) rows);
        for (int64_t i = 0; i < rows; ++i) idx[(size_t) i] = (int32_t) i;
        ggml_backend_tensor_set(iota_, idx.data(), 0, idx.size() * sizeof(int32_t));
    }
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
              {"mode", cfg_.mode},
              {"nTrainable", params().n_trainable},
              {"nVocab", model_->hp.n_vocab},
              {"nLayer", model_->hp.n_layer},
              {"nEmbd", model_->hp.n_embd},
              {"weightBytes", model_->weight_bytes},
              {"updates", updates_}};
    if (lora_) r["lora"] = {{"rank", lora_->cfg.rank}, {"alpha", lora_->cfg.alpha}, {"targets", lora_->cfg.targets}};
    if (full_) r["sft"] = {{"microBatch", cfg_.sft.micro_batch}};
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
    const double lr = adamw_update(cfg_.optim, updates_, params(), grads_, grad_norm_out);
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
    auto path_of = [&](const char * key) -> std::string {
        if (!cmd.contains(key) || cmd[key].is_null()) return "";
        if (!cmd[key].is_string() || cmd[key].get<std::string>().empty()) throw std::runtime_error(std::string("save: '") + key + "' must be a file path");
        return cmd[key].get<std::string>();
    };
    const std::string adapter = path_of("adapter"), checkpoint = path_of("checkpoint"), model = path_of("model");
    if (adapter.empty() && checkpoint.empty() && model.empty()) throw std::runtime_error("save needs 'adapter', 'checkpoint' and/or 'model'");
    // refused before anything is written, so a save either does all it was asked or nothing
    if (!adapter.empty() && full_) throw std::runtime_error("save: 'adapter' is for mode 'lora'; mode 'full' writes the whole model with 'model'");
    if (!model.empty() && !full_) throw std::runtime_error("save: 'model' needs mode 'full' (mode 'lora' writes its adapter with 'adapter')");
    if (!adapter.empty()) {
        save_adapter(*lora_, *model_, adapter);
        res["adapter"] = adapter;
    }
    if (!model.empty()) {
        save_full_model(*full_, *model_, updates_, model);
        res["model"] = model;
    }
    if (!checkpoint.empty()) {
        CheckpointState st;
        st.updates = updates_;
        st.rng = rng_state();
        st.extra_json = "{}";
        if (full_) save_full_checkpoint(*full_, *model_, st, checkpoint);
        else save_checkpoint(*lora_, *model_, st, checkpoint);
        res["checkpoint"] = checkpoint;
    }
    res["updates"] = updates_;
    return res;
}

std::vector<Sequence> Trainer::prepare_sft(const json & cmd, const std::string & what, int64_t & targets) const {
    if (!cmd.contains("sequences") || !cmd["sequences"].is_array() || cmd["sequences"].empty())
        throw std::runtime_error(what + ": 'sequences' must be a non-empty array of token arrays");
    const json & sj = cmd["sequences"];
    const bool has_masks = cmd.contains("masks") && !cmd["masks"].is_null();
    if (has_masks && (!cmd["masks"].is_array() || cmd["masks"].size() != sj.size()))
        throw std::runtime_error(what + ": 'masks' must be an array with one mask per sequence (" + std::to_string(sj.size()) + ")");
    std::vector<Sequence> seqs;
    targets = 0;
    for (size_t i = 0; i < sj.size(); ++i) {
        const std::string where = what + ": sequence " + std::to_string(i) + " ";
        if (!sj[i].is_array()) throw std::runtime_error(where + "is not an array of token ids");
        Sequence s;
        for (const auto & t : sj[i]) {
            if (!t.is_number_integer()) throw std::runtime_error(where + "holds a value that is not an integer token id");
            const int64_t v = t.get<int64_t>();
            if (v < 0 || v >= model_->hp.n_vocab)
                throw std::runtime_error(where + "has token id " + std::to_string(v) + ", out of the vocabulary [0, " + std::to_string(model_->hp.n_vocab) + ")");
            s.tokens.push_back((int32_t) v);
        }
        const int64_t n = (int64_t) s.tokens.size();
        if (n == 0) throw std::runtime_error(where + "is empty");
        if (n < 2) throw std::runtime_error(where + "is too short: it needs at least 2 tokens (one to predict)");
        if (n > model_->hp.n_ctx_train)
            throw std::runtime_error(where + "has " + std::to_string(n) + " tokens, longer than the model's context (" + std::to_string(model_->hp.n_ctx_train) + ")");
        s.prompt_len = 1;
        s.tok_w.assign((size_t) n, 0.0f);
        if (has_masks) {
            const json & mj = cmd["masks"][i];
            if (!mj.is_array() || (int64_t) mj.size() != n)
                throw std::runtime_error(what + ": masks[" + std::to_string(i) + "] must have one entry per token of sequence " + std::to_string(i) + " (" +
                                         std::to_string(n) + ")");
            for (int64_t j = 0; j < n; ++j) {
                const json & x = mj[(size_t) j];
                if (!x.is_number() || (x.get<double>() != 0.0 && x.get<double>() != 1.0))
                    throw std::runtime_error(what + ": masks[" + std::to_string(i) + "][" + std::to_string(j) + "] must be 0 or 1");
                // entry 0 has no prediction (nothing precedes it); its mask value is accepted and ignored
                if (j >= 1 && x.get<double>() == 1.0) s.tok_w[(size_t) j] = 1.0f;
            }
        } else {
            for (int64_t j = 1; j < n; ++j) s.tok_w[(size_t) j] = 1.0f;
        }
        for (int64_t j = 1; j < n; ++j) targets += s.tok_w[(size_t) j] != 0.0f ? 1 : 0;
        seqs.push_back(std::move(s));
    }
    if (targets == 0) throw std::runtime_error(what + ": the masks select no target token (mask entries 1..n-1 of some sequence must be 1)");
    const float w = (float) (1.0 / (double) targets);
    for (auto & s : seqs)
        for (auto & x : s.tok_w) x *= w;
    return seqs;
}

// -sum_j w_j log p(token j | < j): the mean cross-entropy over the selected targets (the weights sum to 1)
double Trainer::sft_loss(const std::vector<Sequence> & seqs, const BatchResult & r) {
    double l = 0;
    for (size_t i = 0; i < seqs.size(); ++i)
        for (size_t j = 1; j < seqs[i].tokens.size(); ++j) l -= (double) seqs[i].tok_w[j] * (double) r.logp[i][j - 1];
    return l;
}

json Trainer::sft(const json & cmd) {
    const double t0 = now_s();
    int64_t targets = 0;
    std::vector<Sequence> seqs = prepare_sft(cmd, "sft", targets);
    const BatchResult r = run(seqs, true, true, false, cfg_.sft.micro_batch, false);
    const double loss = sft_loss(seqs, r);
    double gn = 0;
    const double lr = apply_update(gn);
    const double dt = now_s() - t0;
    int64_t all = 0;
    for (const auto & s : seqs) all += (int64_t) s.tokens.size();
    return {{"loss", loss},
            {"tokens", targets},
            {"sequence_tokens", all},
            {"grad_norm", gn},
            {"lr", lr},
            {"updates", updates_},
            {"step_time_s", dt},
            {"tokens_per_s", dt > 0 ? (double) targets / dt : 0.0},
            {"peak_memory_bytes", peak_rss_bytes()},
            {"compute_buffer_bytes", compute_bytes_},
            {"placement", placement_.to_json()}};
}

json Trainer::loss(const json & cmd) {
    int64_t targets = 0;
    std::vector<Sequence> seqs = prepare_sft(cmd, "loss", targets);
    const BatchResult r = run(seqs, true, false, false, cfg_.sft.micro_batch, false);
    return {{"loss", sft_loss(seqs, r)}, {"tokens", targets}};
}
