// Groups -> sequences with advantages and loss weights; sequences -> micro-batches -> passes.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "loss.h"
#include "pass.h"
#include "trainer.h"

std::vector<Sequence> Trainer::prepare(const json & cmd, json & metrics, bool & ppo) {
    const GrpoConfig & grpo = cfg_.grpo;
    if (!cmd.contains("groups") || !cmd["groups"].is_array() || cmd["groups"].empty()) throw std::runtime_error("'groups' must be a non-empty array");
    std::vector<Sequence> seqs;
    std::vector<double> all_rewards;
    int64_t zero_std = 0, n_groups = 0, len_max = 0;
    double len_sum = 0;
    int64_t n_completions = 0;
    bool any_old = false, all_old = true;
    for (const auto & g : cmd["groups"]) {
        ++n_groups;
        const auto prompt = g.at("prompt").get<std::vector<int32_t>>();
        const auto comps = g.at("completions").get<std::vector<std::vector<int32_t>>>();
        const auto rewards = g.at("rewards").get<std::vector<double>>();
        if (prompt.empty()) throw std::runtime_error("a group's prompt is empty (it needs at least one token, e.g. BOS)");
        if (comps.empty()) throw std::runtime_error("a group has no completions");
        if (comps.size() != rewards.size()) throw std::runtime_error("a group has " + std::to_string(comps.size()) + " completions but " + std::to_string(rewards.size()) + " rewards");
        for (double r : rewards)
            if (!std::isfinite(r)) throw std::runtime_error("a reward is not a finite number");
        std::vector<std::vector<float>> old;
        if (g.contains("oldLogprobs") && !g["oldLogprobs"].is_null()) {
            old = g["oldLogprobs"].get<std::vector<std::vector<float>>>();
            if (old.size() != comps.size()) throw std::runtime_error("oldLogprobs must have one array per completion");
            any_old = true;
        } else {
            all_old = false;
        }
        check_tokens(prompt);
        double mean = 0;
        for (double r : rewards) mean += r;
        mean /= (double) rewards.size();
        double var = 0;
        for (double r : rewards) var += (r - mean) * (r - mean);
        // unbiased std, as torch.std in TRL and verl
        const double sd = rewards.size() > 1 ? std::sqrt(var / (double) (rewards.size() - 1)) : 0.0;
        const bool flat = sd < 1e-8;
        zero_std += flat ? 1 : 0;
        for (size_t i = 0; i < comps.size(); ++i) {
            check_tokens(comps[i]);
            if (comps[i].empty()) throw std::runtime_error("a completion is empty");
            all_rewards.push_back(rewards[i]);
            len_sum += (double) comps[i].size();
            len_max = std::max<int64_t>(len_max, (int64_t) comps[i].size());
            ++n_completions;
            if (flat && grpo.skip_zero_std_groups) continue;
            Sequence s;
            s.tokens = prompt;
            s.tokens.insert(s.tokens.end(), comps[i].begin(), comps[i].end());
            if ((int64_t) s.tokens.size() > model_->hp.n_ctx_train)
                throw std::runtime_error("prompt + completion is longer than the model's context (" + std::to_string(model_->hp.n_ctx_train) + ")");
            s.prompt_len = (int64_t) prompt.size();
            s.advantage = grpo.scale_rewards ? (rewards[i] - mean) / (sd + 1e-4) : rewards[i] - mean;
            if (!old.empty()) {
                if (old[i].size() != comps[i].size()) throw std::runtime_error("oldLogprobs[" + std::to_string(i) + "] must have one value per completion token");
                s.old_logp = old[i];
            }
            seqs.push_back(std::move(s));
        }
    }
    if (any_old && !all_old) throw std::runtime_error("oldLogprobs must be given for every group or for none");
    ppo = any_old || grpo.ppo_epochs > 1;

    int64_t tok_total = 0;
    for (const auto & s : seqs) tok_total += (int64_t) s.tokens.size() - s.prompt_len;
    const int64_t dr_const = grpo.max_completion_length > 0 ? grpo.max_completion_length : len_max;
    for (auto & s : seqs) {
        const double len = (double) ((int64_t) s.tokens.size() - s.prompt_len);
        if (grpo.loss_agg == "token-mean") s.weight = 1.0 / (double) std::max<int64_t>(1, tok_total);
        else if (grpo.loss_agg == "seq-mean-token-mean") s.weight = 1.0 / ((double) seqs.size() * len);
        else s.weight = 1.0 / ((double) seqs.size() * (double) dr_const);
    }

    double rm = 0;
    for (double r : all_rewards) rm += r;
    rm /= (double) all_rewards.size();
    double rv = 0;
    for (double r : all_rewards) rv += (r - rm) * (r - rm);
    metrics["reward_mean"] = rm;
    metrics["reward_std"] = all_rewards.size() > 1 ? std::sqrt(rv / (double) (all_rewards.size() - 1)) : 0.0;
    metrics["frac_reward_zero_std"] = (double) zero_std / (double) n_groups;
    metrics["completion_length_mean"] = len_sum / (double) n_completions;
    metrics["completion_length_max"] = len_max;
    metrics["groups"] = n_groups;
    metrics["groups_used"] = n_groups - (grpo.skip_zero_std_groups ? zero_std : 0);
    metrics["completion_tokens"] = tok_total;
    return seqs;
}

std::vector<std::vector<float>> Trainer::logprobs(const std::vector<std::vector<int32_t>> & toks, bool adapter) {
    std::vector<Sequence> seqs;
    for (const auto & t : toks) {
        if (t.empty()) throw std::runtime_error("a sequence is empty");
        if ((int64_t) t.size() > model_->hp.n_ctx_train)
            throw std::runtime_error("a sequence is longer than the model's context (" + std::to_string(model_->hp.n_ctx_train) + ")");
        check_tokens(t);
        Sequence s;
        s.tokens = t;
        s.prompt_len = 1;
        seqs.push_back(std::move(s));
    }
    return run(seqs, adapter, false, false).logp;
}

BatchResult Trainer::run(std::vector<Sequence> & seqs, bool adapter, bool grads, bool ppo, int micro_batch, bool entropy) {
    const size_t mb = (size_t) (micro_batch > 0 ? micro_batch : cfg_.grpo.micro_batch);
    BatchResult out;
    out.logp.resize(seqs.size());
    out.entropy.resize(seqs.size());
    if (grads)
        for (auto & g : grads_) std::fill(g.begin(), g.end(), 0.0f);
    // Sequences of similar length share a micro-batch (less padding); results are returned in the caller's order.
    std::vector<size_t> order(seqs.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return seqs[a].tokens.size() < seqs[b].tokens.size(); });
    // A micro-batch holds at most micro_batch sequences and keeps its [vocab x tokens] logits under the budget
    // (large vocabularies such as Qwen's 151k would otherwise need gigabytes per pass).
    const double budget = (double) cfg_.grpo.max_logits_bytes;
    const double V = (double) model_->hp.n_vocab;
    size_t i = 0;
    while (i < order.size()) {
        std::vector<size_t> idx = {order[i]};
        size_t T = seqs[order[i]].tokens.size();
        size_t end = i + 1;
        while (end < order.size() && idx.size() < mb) {
            const size_t T2 = std::max(T, seqs[order[end]].tokens.size());
            if ((double) (idx.size() + 1) * (double) T2 * V * 4.0 > budget) break;
            T = T2;
            idx.push_back(order[end]);
            ++end;
        }
        run_micro(seqs, idx, adapter, grads, ppo, entropy, out);
        i = end;
    }
    return out;
}

namespace {

struct HostInputs {
    std::vector<int32_t> tok, pos, tgt_row;
    std::vector<float> tgt_id, mask, aw, kw, old, ref, m;
};

HostInputs host_inputs(const std::vector<Sequence> & seqs, const std::vector<size_t> & idx, int64_t T, int64_t V, bool grads, double beta) {
    const int64_t B = (int64_t) idx.size(), N = T * B;
    HostInputs h;
    h.tok.assign((size_t) N, 0);
    h.pos.assign((size_t) N, 0);
    h.tgt_row.assign((size_t) N, 0);
    h.tgt_id.assign((size_t) N, 0.0f);
    h.mask.assign((size_t) (T * T), 0.0f);
    for (auto * v : {&h.aw, &h.kw, &h.old, &h.ref, &h.m}) v->assign((size_t) N, 0.0f);
    for (int64_t q = 0; q < T; ++q)
        for (int64_t k = q + 1; k < T; ++k) h.mask[(size_t) (q * T + k)] = -INFINITY;
    for (int64_t b = 0; b < B; ++b) {
        const Sequence & s = seqs[idx[(size_t) b]];
        const int64_t n = (int64_t) s.tokens.size();
        for (int64_t t = 0; t < T; ++t) {
            const int64_t row = b * T + t;
            h.tok[(size_t) row] = t < n ? s.tokens[(size_t) t] : 0;
            h.pos[(size_t) row] = (int32_t) t;
            const int32_t next = t + 1 < n ? s.tokens[(size_t) (t + 1)] : 0;
            h.tgt_row[(size_t) row] = (int32_t) (row * V + next);
            h.tgt_id[(size_t) row] = (float) next;
            const int64_t j = t + 1;  // index of the predicted token
            if (grads && !s.tok_w.empty()) {
                if (j < n && s.tok_w[(size_t) j] != 0.0f) {
                    h.aw[(size_t) row] = s.tok_w[(size_t) j];
                    h.m[(size_t) row] = 1.0f;
                }
            } else if (grads && j >= s.prompt_len && j < n) {
                const size_t c = (size_t) (j - s.prompt_len);
                h.aw[(size_t) row] = (float) (s.advantage * s.weight);
                h.kw[(size_t) row] = (float) (beta * s.weight);
                h.m[(size_t) row] = 1.0f;
                if (!s.old_logp.empty()) h.old[(size_t) row] = s.old_logp[c];
                if (!s.ref_logp.empty()) h.ref[(size_t) row] = s.ref_logp[c];
            }
        }
    }
    return h;
}

// inputs the graph does not use (e.g. ref without KL) have no buffer
template <typename T>
void upload(ggml_tensor * t, const std::vector<T> & v) {
    if (t && t->buffer) ggml_backend_tensor_set(t, v.data(), 0, v.size() * sizeof(T));
}

}  // namespace

void Trainer::run_micro(std::vector<Sequence> & seqs, const std::vector<size_t> & idx, bool adapter, bool grads, bool ppo, bool entropy,
                        BatchResult & out) {
    const int64_t B = (int64_t) idx.size();
    int64_t T = 1;
    for (size_t i : idx) T = std::max<int64_t>(T, (int64_t) seqs[i].tokens.size());
    const int64_t N = T * B, V = model_->hp.n_vocab;
    ggml_init_params ip = {ggml_tensor_overhead() * graph_size_ * 3 + ggml_graph_overhead_custom(graph_size_, grads) * 2, nullptr, true};
    ggml_context * ctx = ggml_init(ip);
    struct CtxGuard {
        ggml_context * c;
        ~CtxGuard() { ggml_free(c); }
    } guard{ctx};

    BatchInputs in = make_inputs(ctx, T, B);
    // MEDSSR_GATHER=onehot|rows forces one gather (tests run the GPU's one-hot form on the CPU)
    const char * gather = std::getenv("MEDSSR_GATHER");
    const bool onehot = gather ? std::string(gather) == "onehot" : grads && be_->on_gpu();
    ForwardOut fo = build_forward(ctx, *model_, adapter ? lora_.get() : nullptr, in, T, B, grads && entropy, onehot);
    ggml_set_output(fo.logp);
    if (fo.entropy) ggml_set_output(fo.entropy);
    LossInputs li;
    ggml_tensor * loss = nullptr;
    ggml_cgraph * gf = ggml_new_graph_custom(ctx, graph_size_, grads);
    ParamSet & ps = params();
    std::vector<ggml_tensor *> grad_of(ps.params.size(), nullptr);
    if (grads) {
        loss = build_grpo_loss(ctx, fo.logp, N, cfg_.grpo, ppo, li);
        ggml_set_loss(loss);
        ggml_set_output(loss);
        ggml_build_forward_expand(gf, fo.logp);
        if (fo.entropy) ggml_build_forward_expand(gf, fo.entropy);
        ggml_build_forward_expand(gf, loss);
        std::vector<ggml_tensor *> accs((size_t) ggml_graph_n_nodes(gf), nullptr);
        for (int i = 0; i < ggml_graph_n_nodes(gf); ++i)
            if (ggml_graph_node(gf, i) == loss) accs[(size_t) i] = one_;
        ggml_build_backward_expand(ctx, gf, accs.data());
        for (size_t i = 0; i < ps.params.size(); ++i) {
            grad_of[i] = ggml_graph_get_grad(gf, ps.params[i]);
            if (grad_of[i]) ggml_set_output(grad_of[i]);
        }
    } else {
        ggml_build_forward_expand(gf, fo.logp);
    }
    gf = device_ready_graph(ctx, gf, graph_size_, *be_, iota_);
    check_supported(gf, *be_);

    if (std::getenv("MEDSSR_DIAG_KEEP_BUFFERS")) {
        // diagnostic: a fresh scheduler per pass, the old ones (and their compute buffers) never freed
        static std::vector<ggml_backend_sched_t> kept;
        kept.push_back(sched_);
        std::vector<ggml_backend_t> list = {be_->main};
        if (be_->on_gpu()) list.push_back(be_->cpu);
        sched_ = ggml_backend_sched_new(list.data(), nullptr, (int) list.size(), graph_size_, false, false);
    }
    ggml_backend_sched_reset(sched_);
    if (!ggml_backend_sched_alloc_graph(sched_, gf))
        throw std::runtime_error(std::string("could not allocate the compute graph on ") + ggml_backend_name(be_->main) + " (out of memory?)");
    {
        Placement p;
        p.splits = ggml_backend_sched_get_n_splits(sched_);
        p.copies = ggml_backend_sched_get_n_copies(sched_);
        for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) {
            ggml_tensor * nd = ggml_graph_node(gf, i);
            if (nd->op == GGML_OP_NONE) continue;
            ggml_backend_t b = ggml_backend_sched_get_tensor_backend(sched_, nd);
            const std::string name = b ? ggml_backend_name(b) : "none";
            auto it = std::find_if(p.nodes.begin(), p.nodes.end(), [&](auto & kv) { return kv.first == name; });
            if (it == p.nodes.end()) p.nodes.emplace_back(name, 1);
            else ++it->second;
        }
        if (grads) placement_ = p;
        size_t bytes = 0;
        for (ggml_backend_t b : {be_->main, be_->cpu}) {
            bytes += ggml_backend_sched_get_buffer_size(sched_, b);
            if (b == be_->cpu && !be_->on_gpu()) break;
        }
        compute_bytes_ = std::max(compute_bytes_, bytes);
    }

    const HostInputs h = host_inputs(seqs, idx, T, V, grads, cfg_.grpo.beta);
    upload(in.tokens, h.tok);
    upload(in.positions, h.pos);
    upload(in.target_rows, h.tgt_row);
    upload(in.target_ids, h.tgt_id);
    upload(in.mask, h.mask);
    if (grads) {
        upload(li.adv_w, h.aw);
        upload(li.kl_w, h.kw);
        upload(li.old, h.old);
        upload(li.ref, h.ref);
        upload(li.mask, h.m);
    }
    compute_graph(sched_, gf);

    std::vector<float> lp((size_t) N), ent;
    ggml_backend_tensor_get(fo.logp, lp.data(), 0, lp.size() * sizeof(float));
    if (fo.entropy) {
        ent.resize((size_t) N);
        ggml_backend_tensor_get(fo.entropy, ent.data(), 0, ent.size() * sizeof(float));
    }
    for (int64_t b = 0; b < B; ++b) {
        const Sequence & s = seqs[idx[(size_t) b]];
        const int64_t n = (int64_t) s.tokens.size();
        std::vector<float> l, e;
        for (int64_t j = std::max<int64_t>(1, s.prompt_len); j < n; ++j) {
            l.push_back(lp[(size_t) (b * T + j - 1)]);
            if (!ent.empty()) e.push_back(ent[(size_t) (b * T + j - 1)]);
        }
        out.logp[idx[(size_t) b]] = std::move(l);
        out.entropy[idx[(size_t) b]] = std::move(e);
    }
    if (grads) {
        float lv = 0.0f;
        ggml_backend_tensor_get(loss, &lv, 0, sizeof(float));
        out.loss += lv;
        std::vector<float> tmp;
        for (size_t i = 0; i < grad_of.size(); ++i) {
            if (!grad_of[i]) continue;
            tmp.resize(grads_[i].size());
            ggml_backend_tensor_get(grad_of[i], tmp.data(), 0, tmp.size() * sizeof(float));
            for (size_t k = 0; k < tmp.size(); ++k) grads_[i][k] += tmp[k];
        }
    }
}
