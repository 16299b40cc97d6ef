#include "optimizer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

double lr_at(const OptimConfig & opt, int64_t u) {
    double f = 1.0;
    if (opt.warmup_steps > 0 && u < opt.warmup_steps) f = (double) (u + 1) / (double) (opt.warmup_steps + 1);
    else if (opt.schedule == "cosine") {
        const double span = (double) std::max<int64_t>(1, opt.total_steps - opt.warmup_steps);
        const double p = std::min(1.0, (double) (u - opt.warmup_steps) / span);
        f = opt.min_lr_ratio + (1.0 - opt.min_lr_ratio) * 0.5 * (1.0 + std::cos(M_PI * p));
    }
    return opt.lr * f;
}

double adamw_update(const OptimConfig & opt, int64_t updates, ParamSet & lora, const std::vector<std::vector<float>> & grads,
                    double & grad_norm_out) {
    double sq = 0;
    for (const auto & g : grads)
        for (float x : g) sq += (double) x * x;
    const double norm = std::sqrt(sq);
    grad_norm_out = norm;
    if (!std::isfinite(norm)) throw std::runtime_error("gradient is not finite; update skipped");
    const double clip = opt.max_grad_norm > 0 && norm > opt.max_grad_norm ? opt.max_grad_norm / (norm + 1e-6) : 1.0;
    const double lr = lr_at(opt, updates);
    const int64_t t = updates + 1;
    const double bc1 = 1.0 - std::pow(opt.beta1, (double) t), bc2 = 1.0 - std::pow(opt.beta2, (double) t);
    for (size_t i = 0; i < grads.size(); ++i) {
        auto & p = lora.host[i];
        auto & m = lora.m[i];
        auto & v = lora.v[i];
        const auto & g = grads[i];
        for (size_t k = 0; k < p.size(); ++k) {
            const double gk = (double) g[k] * clip;
            m[k] = (float) (opt.beta1 * m[k] + (1.0 - opt.beta1) * gk);
            v[k] = (float) (opt.beta2 * v[k] + (1.0 - opt.beta2) * gk * gk);
            double pk = (double) p[k] * (1.0 - lr * opt.weight_decay);
            pk -= lr * ((double) m[k] / bc1) / (std::sqrt((double) v[k] / bc2) + opt.eps);
            p[k] = (float) pk;
        }
    }
    lora.upload();
    return lr;
}
