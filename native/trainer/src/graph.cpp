#include "graph.h"

#include <cmath>

BatchInputs make_inputs(ggml_context * ctx, int64_t T, int64_t B) {
    BatchInputs in;
    in.tokens = ggml_new_tensor_1d(ctx, GGML_TYPE_I32, T * B);
    in.positions = ggml_new_tensor_1d(ctx, GGML_TYPE_I32, T * B);
    in.mask = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, T, T);
    in.target_rows = ggml_new_tensor_1d(ctx, GGML_TYPE_I32, T * B);
    in.target_ids = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, 1, T * B);
    for (ggml_tensor * t : {in.tokens, in.positions, in.mask, in.target_rows, in.target_ids}) ggml_set_input(t);
    return in;
}

namespace {

ggml_tensor * matmul(ggml_context * ctx, const Lora * lora, ggml_tensor * w, ggml_tensor * x) {
    ggml_tensor * y = ggml_mul_mat(ctx, w, x);
    if (lora) {
        if (const LoraPair * p = lora->find(w)) {
            ggml_tensor * ab = ggml_mul_mat(ctx, p->b, ggml_mul_mat(ctx, p->a, x));
            y = ggml_add(ctx, y, ggml_scale(ctx, ab, lora->scale()));
        }
    }
    return y;
}

ggml_tensor * rms(ggml_context * ctx, ggml_tensor * x, ggml_tensor * w, float eps) {
    return ggml_mul(ctx, ggml_rms_norm(ctx, x, eps), w);
}

// [hd, heads, T, B] -> [hd, T, heads, B]; for grouped-query attention each KV head is repeated for its group of query
// heads (head h uses KV head h / group, as llama.cpp does) so that every mul_mat below has equal batch dims, which
// ggml's mul_mat backward needs.
ggml_tensor * heads_major(ggml_context * ctx, ggml_tensor * x, int64_t hd, int64_t heads, int64_t T, int64_t B) {
    ggml_tensor * x4 = ggml_reshape_4d(ctx, x, hd, heads, T, B);
    return ggml_cont(ctx, ggml_permute(ctx, x4, 0, 2, 1, 3));
}

ggml_tensor * repeat_groups(ggml_context * ctx, ggml_tensor * x, int64_t group) {
    if (group == 1) return x;
    const int64_t ne0 = x->ne[0], ne1 = x->ne[1], nh = x->ne[2], B = x->ne[3];
    ggml_tensor * r = ggml_reshape_4d(ctx, x, ne0 * ne1, 1, nh, B);
    r = ggml_repeat_4d(ctx, r, ne0 * ne1, group, nh, B);
    return ggml_reshape_4d(ctx, r, ne0, ne1, nh * group, B);
}

}  // namespace

ForwardOut build_forward(ggml_context * ctx, const Model & model, const Lora * lora, const BatchInputs & in, int64_t T, int64_t B,
                         bool want_entropy, bool onehot_gather) {
    const HParams & hp = model.hp;
    const int64_t N = T * B, hd = hp.head_dim, nh = hp.n_head, nkv = hp.n_head_kv, group = nh / nkv;
    const float kq_scale = 1.0f / std::sqrt((float) hd);

    ggml_tensor * x = ggml_get_rows(ctx, model.tok_embd, in.tokens);  // [n_embd, N]
    for (int64_t il = 0; il < hp.n_layer; ++il) {
        const LayerWeights & L = model.layers[il];
        ggml_tensor * cur = rms(ctx, x, L.attn_norm, hp.eps);
        ggml_tensor * q = matmul(ctx, lora, L.wq, cur);
        ggml_tensor * k = matmul(ctx, lora, L.wk, cur);
        ggml_tensor * v = matmul(ctx, lora, L.wv, cur);
        if (L.bq) q = ggml_add(ctx, q, L.bq);
        if (L.bk) k = ggml_add(ctx, k, L.bk);
        if (L.bv) v = ggml_add(ctx, v, L.bv);
        q = ggml_reshape_3d(ctx, q, hd, nh, N);
        k = ggml_reshape_3d(ctx, k, hd, nkv, N);
        if (L.q_norm) q = rms(ctx, q, L.q_norm, hp.eps);
        if (L.k_norm) k = rms(ctx, k, L.k_norm, hp.eps);
        q = ggml_rope_ext(ctx, q, in.positions, model.rope_freqs, (int) hp.n_rot, hp.rope_mode, (int) hp.n_ctx_train, hp.freq_base,
                          hp.freq_scale, 0.0f, 1.0f, 32.0f, 1.0f);
        k = ggml_rope_ext(ctx, k, in.positions, model.rope_freqs, (int) hp.n_rot, hp.rope_mode, (int) hp.n_ctx_train, hp.freq_base,
                          hp.freq_scale, 0.0f, 1.0f, 32.0f, 1.0f);

        ggml_tensor * qh = heads_major(ctx, q, hd, nh, T, B);                           // [hd, T, nh, B]
        ggml_tensor * kh = repeat_groups(ctx, heads_major(ctx, k, hd, nkv, T, B), group);  // [hd, T, nh, B]
        ggml_tensor * v4 = ggml_reshape_4d(ctx, v, hd, nkv, T, B);
        ggml_tensor * vt = repeat_groups(ctx, ggml_cont(ctx, ggml_permute(ctx, v4, 1, 2, 0, 3)), group);  // [T, hd, nh, B]

        ggml_tensor * kq = ggml_mul_mat(ctx, kh, qh);  // [T_k, T_q, nh, B]
        kq = ggml_soft_max_ext(ctx, kq, in.mask, kq_scale, 0.0f);
        ggml_tensor * kqv = ggml_mul_mat(ctx, vt, kq);  // [hd, T_q, nh, B]
        ggml_tensor * merged = ggml_cont(ctx, ggml_permute(ctx, kqv, 0, 2, 1, 3));  // [hd, nh, T, B]
        merged = ggml_reshape_2d(ctx, merged, hd * nh, N);
        x = ggml_add(ctx, x, matmul(ctx, lora, L.wo, merged));

        cur = rms(ctx, x, L.ffn_norm, hp.eps);
        ggml_tensor * g = matmul(ctx, lora, L.ffn_gate, cur);
        ggml_tensor * u = matmul(ctx, lora, L.ffn_up, cur);
        ggml_tensor * h = ggml_mul(ctx, ggml_silu(ctx, g), u);
        x = ggml_add(ctx, x, matmul(ctx, lora, L.ffn_down, h));
    }
    x = rms(ctx, x, model.out_norm, hp.eps);
    ggml_tensor * logits = ggml_mul_mat(ctx, model.output, x);  // [V, N]
    const int64_t V = logits->ne[0];
    ggml_tensor * probs = ggml_soft_max(ctx, logits);
    // Kept as an output: otherwise ggml-alloc may compute the reshape's consumer in place over the softmax result,
    // which the softmax backward still reads (found by the finite-difference check).
    ggml_set_output(probs);
    // p(target) per row. get_rows over a [1, V*N] view gathers it in O(N), and its backward (GET_ROWS_BACK) is
    // O(V*N) on the CPU, but both GPU backends loop over every index for every destination row: O(V*N^2). So a GPU
    // training pass takes sum_rows(probs * onehot) instead, the one-hot built on the device from the token ids:
    // O(V*N) forward and backward, N floats uploaded. Both are exact (the other V-1 terms are p * 0; token ids are
    // below 2^24, model.cpp, so they and the arange are exact in F32).
    ggml_tensor * onehot = nullptr;
    auto gather = [&](ggml_tensor * x) -> ggml_tensor * {  // x [V, N] -> [N]
        if (!onehot_gather) return ggml_reshape_1d(ctx, ggml_get_rows(ctx, ggml_reshape_2d(ctx, x, 1, V * N), in.target_rows), N);
        if (!onehot) {
            ggml_tensor * iota = ggml_repeat(ctx, ggml_arange(ctx, 0.0f, (float) V, 1.0f), x);  // [V, N]: 0..V-1 per row
            onehot = ggml_step(ctx, ggml_scale_bias(ctx, ggml_abs(ctx, ggml_sub(ctx, iota, in.target_ids)), -1.0f, 0.5f));
        }
        return ggml_reshape_1d(ctx, ggml_sum_rows(ctx, ggml_mul(ctx, x, onehot)), N);
    };
    ggml_tensor * pt = gather(probs);  // [N]
    // The tiny floor keeps log finite (and its gradient defined) for padding rows whose probability underflows.
    ggml_tensor * logp = ggml_log(ctx, ggml_scale_bias(ctx, pt, 1.0f, 1e-30f));
    ForwardOut out;
    out.logp = logp;
    if (want_entropy) {
        // H = logsumexp(x) - sum p x, with logsumexp = x_t - log p_t for the target t
        ggml_tensor * xt = gather(logits);
        ggml_tensor * px = ggml_reshape_1d(ctx, ggml_sum_rows(ctx, ggml_mul(ctx, probs, logits)), N);
        out.entropy = ggml_sub(ctx, ggml_sub(ctx, xt, logp), px);
    }
    return out;
}
