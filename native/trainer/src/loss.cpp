#include "loss.h"

ggml_tensor * build_grpo_loss(ggml_context * ctx, ggml_tensor * logp, int64_t N, const GrpoConfig & grpo, bool ppo, LossInputs & in) {
    in.adv_w = ggml_new_tensor_1d(ctx, GGML_TYPE_F32, N);
    in.kl_w = ggml_new_tensor_1d(ctx, GGML_TYPE_F32, N);
    in.old = ggml_new_tensor_1d(ctx, GGML_TYPE_F32, N);
    in.ref = ggml_new_tensor_1d(ctx, GGML_TYPE_F32, N);
    in.mask = ggml_new_tensor_1d(ctx, GGML_TYPE_F32, N);
    for (ggml_tensor * t : {in.adv_w, in.kl_w, in.old, in.ref, in.mask}) ggml_set_input(t);
    ggml_tensor * pg;
    if (ppo) {
        // -min(r A, clip(r) A) per token, written with relu (which has a backward pass) in place of min and clamp
        const float lo = (float) (1.0 - grpo.epsilon_low), hi = (float) (1.0 + grpo.epsilon_high);
        ggml_tensor * r = ggml_exp(ctx, ggml_mul(ctx, ggml_sub(ctx, logp, in.old), in.mask));
        ggml_set_output(r);  // exp's backward reads its own result; keep it from being overwritten in place
        ggml_tensor * c = ggml_scale_bias(ctx,
                                          ggml_sub(ctx, ggml_relu(ctx, ggml_scale_bias(ctx, r, 1.0f, -lo)),
                                                   ggml_relu(ctx, ggml_scale_bias(ctx, r, 1.0f, -hi))),
                                          1.0f, lo);
        ggml_tensor * na = ggml_scale(ctx, ggml_mul(ctx, r, in.adv_w), -1.0f);
        ggml_tensor * nb = ggml_scale(ctx, ggml_mul(ctx, c, in.adv_w), -1.0f);
        pg = ggml_sum(ctx, ggml_add(ctx, na, ggml_relu(ctx, ggml_sub(ctx, nb, na))));
    } else {
        pg = ggml_scale(ctx, ggml_sum(ctx, ggml_mul(ctx, logp, in.adv_w)), -1.0f);
    }
    ggml_tensor * loss = pg;
    if (grpo.beta > 0.0) {
        // k3 estimator of KL(policy || base): exp(ref - logp) - (ref - logp) - 1
        ggml_tensor * d = ggml_mul(ctx, ggml_sub(ctx, in.ref, logp), in.mask);
        ggml_tensor * ed = ggml_exp(ctx, d);
        ggml_set_output(ed);
        ggml_tensor * kl = ggml_scale_bias(ctx, ggml_sub(ctx, ed, d), 1.0f, -1.0f);
        loss = ggml_add(ctx, loss, ggml_sum(ctx, ggml_mul(ctx, kl, in.kl_w)));
    }
    return loss;
}
