// gradcheck (analytic vs central-difference gradients) and matmulPeak (the backend's measured mul_mat speed).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "trainer.h"

namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int64_t size_arg(const json & cmd, const char * key, int64_t def, int64_t max) {
    const int64_t v = opt_get<int64_t>(cmd, key, def);
    if (v < 1 || v > max)
        throw std::runtime_error(std::string("matmulPeak: '") + key + "' must be in [1, " + std::to_string(max) + "], got " + std::to_string(v));
    return v;
}

}  // namespace

json Trainer::gradcheck(const json & cmd) {
    json metrics = json::object();
    bool ppo = false;
    std::vector<Sequence> seqs;
    if (cmd.contains("sequences")) {
        // the sft loss (next-token cross-entropy over masked targets)
        int64_t targets = 0;
        seqs = prepare_sft(cmd, "gradcheck", targets);
    } else {
        seqs = prepare(cmd, metrics, ppo);
        if (seqs.empty()) throw std::runtime_error("gradcheck: every group was skipped");
        if (cfg_.grpo.beta > 0.0) {
            BatchResult base = run(seqs, false, false, false);
            for (size_t i = 0; i < seqs.size(); ++i) seqs[i].ref_logp = base.logp[i];
        }
        if (ppo && seqs.front().old_logp.empty()) throw std::runtime_error("gradcheck with PPO needs oldLogprobs");
    }
    const int mb = seqs.front().tok_w.empty() ? 0 : cfg_.sft.micro_batch;
    const BatchResult base = run(seqs, true, true, ppo, mb);
    const auto analytic = grads_;
    const int n = opt_get<int>(cmd, "samples", 8);
    const double eps = opt_get<double>(cmd, "eps", 1e-2);
    if (n < 1) throw std::runtime_error("gradcheck: 'samples' must be >= 1");
    if (!(eps > 0) || !std::isfinite(eps)) throw std::runtime_error("gradcheck: 'eps' must be > 0");
    // the entry with the largest |gradient| of each tensor, largest first: small ones drown in float32 rounding
    std::vector<std::pair<size_t, size_t>> picks;
    for (size_t i = 0; i < analytic.size(); ++i) {
        size_t best = 0;
        for (size_t k = 1; k < analytic[i].size(); ++k)
            if (std::fabs(analytic[i][k]) > std::fabs(analytic[i][best])) best = k;
        picks.emplace_back(i, best);
    }
    std::sort(picks.begin(), picks.end(), [&](auto a, auto b) { return std::fabs(analytic[a.first][a.second]) > std::fabs(analytic[b.first][b.second]); });
    if ((int) picks.size() > n) picks.resize((size_t) n);
    json out = json::array();
    ParamSet & ps = params();
    for (auto [i, k] : picks) {
        const float orig = ps.host[i][k];
        double lv[2];
        for (int s = 0; s < 2; ++s) {
            ps.host[i][k] = orig + (float) (s == 0 ? eps : -eps);
            ps.upload();
            lv[s] = run(seqs, true, true, ppo, mb).loss;
        }
        ps.host[i][k] = orig;
        ps.upload();
        out.push_back({{"tensor", ggml_get_name(ps.params[i])}, {"index", k}, {"analytic", analytic[i][k]}, {"numeric", (lv[0] - lv[1]) / (2 * eps)}});
    }
    for (auto & g : grads_) std::fill(g.begin(), g.end(), 0.0f);
    return {{"loss", base.loss}, {"checks", out}};
}

json Trainer::matmul_peak(const json & cmd) {
    const int64_t m = size_arg(cmd, "m", 4096, 1 << 16), n = size_arg(cmd, "n", 512, 1 << 16), k = size_arg(cmd, "k", 1024, 1 << 16);
    if (m * k > (1ll << 28) || n * k > (1ll << 28) || m * n > (1ll << 28))
        throw std::runtime_error("matmulPeak: m*k, n*k and m*n must each be at most 2^28 elements");
    const int repeats = (int) size_arg(cmd, "repeats", 5, 1000);
    const std::string type = opt_get<std::string>(cmd, "type", "f32");
    if (type != "f32" && type != "f16") throw std::runtime_error("matmulPeak: 'type' must be f32 or f16, got '" + type + "'");
    const ggml_type wt = type == "f16" ? GGML_TYPE_F16 : GGML_TYPE_F32;
    ggml_init_params ip = {ggml_tensor_overhead() * 8 + ggml_graph_overhead(), nullptr, true};
    ggml_context * ctx = ggml_init(ip);
    ggml_tensor * a = ggml_new_tensor_2d(ctx, wt, k, m);
    ggml_tensor * b = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, k, n);
    ggml_tensor * c = ggml_mul_mat(ctx, a, b);
    ggml_cgraph * gf = ggml_new_graph(ctx);
    ggml_build_forward_expand(gf, c);
    ggml_backend_buffer_t buf = ggml_backend_alloc_ctx_tensors(ctx, be_->main);
    if (!buf) {
        ggml_free(ctx);
        throw std::runtime_error("matmulPeak: could not allocate the matrices on " + std::string(ggml_backend_name(be_->main)));
    }
    std::mt19937 r(1);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> fa((size_t) (k * m)), fb((size_t) (k * n));
    for (auto & x : fa) x = u(r);
    for (auto & x : fb) x = u(r);
    if (wt == GGML_TYPE_F16) {
        std::vector<ggml_fp16_t> ha(fa.size());
        ggml_fp32_to_fp16_row(fa.data(), ha.data(), (int64_t) fa.size());
        ggml_backend_tensor_set(a, ha.data(), 0, ha.size() * sizeof(ggml_fp16_t));
    } else {
        ggml_backend_tensor_set(a, fa.data(), 0, fa.size() * sizeof(float));
    }
    ggml_backend_tensor_set(b, fb.data(), 0, fb.size() * sizeof(float));
    ggml_backend_graph_compute(be_->main, gf);  // warm-up
    double best = 1e30;
    for (int i = 0; i < repeats; ++i) {
        const double t0 = now_s();
        ggml_backend_graph_compute(be_->main, gf);
        ggml_backend_synchronize(be_->main);
        best = std::min(best, now_s() - t0);
    }
    ggml_backend_buffer_free(buf);
    ggml_free(ctx);
    const double flops = 2.0 * (double) m * (double) n * (double) k;
    return {{"m", m}, {"n", n}, {"k", k}, {"type", type}, {"backend", be_->kind}, {"seconds", best}, {"gflops", flops / best / 1e9}, {"threads", cfg_.threads}};
}
