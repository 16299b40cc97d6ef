#include "model.h"

#include <cstdio>
#include <cmath>
#include <fstream>
#include <stdexcept>

Model::~Model() {
    if (buf) ggml_backend_buffer_free(buf);
    if (ctx) ggml_free(ctx);
    if (gguf) gguf_free(gguf);
}

const std::vector<std::string> & lora_target_names() {
    static const std::vector<std::string> names = {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};
    return names;
}

ggml_tensor * layer_target(LayerWeights & l, const std::string & name) {
    if (name == "attn_q") return l.wq;
    if (name == "attn_k") return l.wk;
    if (name == "attn_v") return l.wv;
    if (name == "attn_output") return l.wo;
    if (name == "ffn_gate") return l.ffn_gate;
    if (name == "ffn_up") return l.ffn_up;
    if (name == "ffn_down") return l.ffn_down;
    throw std::runtime_error("unknown LoRA target '" + name + "' (supported: attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down)");
}

namespace {

int64_t key_id(gguf_context * g, const std::string & key, bool required) {
    const int64_t id = gguf_find_key(g, key.c_str());
    if (id < 0 && required) throw std::runtime_error("GGUF key '" + key + "' is missing");
    return id;
}

int64_t get_int(gguf_context * g, const std::string & key, bool required, int64_t def = 0) {
    const int64_t id = key_id(g, key, required);
    if (id < 0) return def;
    switch (gguf_get_kv_type(g, id)) {
        case GGUF_TYPE_UINT8: return gguf_get_val_u8(g, id);
        case GGUF_TYPE_INT8: return gguf_get_val_i8(g, id);
        case GGUF_TYPE_UINT16: return gguf_get_val_u16(g, id);
        case GGUF_TYPE_INT16: return gguf_get_val_i16(g, id);
        case GGUF_TYPE_UINT32: return gguf_get_val_u32(g, id);
        case GGUF_TYPE_INT32: return gguf_get_val_i32(g, id);
        case GGUF_TYPE_UINT64: return (int64_t) gguf_get_val_u64(g, id);
        case GGUF_TYPE_INT64: return gguf_get_val_i64(g, id);
        case GGUF_TYPE_ARRAY: {
            // per-layer arrays (e.g. head_count_kv); the trainer needs one value for all layers
            if (gguf_get_arr_n(g, id) == 0) return def;
            const enum gguf_type t = gguf_get_arr_type(g, id);
            const void * d = gguf_get_arr_data(g, id);
            if (t == GGUF_TYPE_UINT32) return ((const uint32_t *) d)[0];
            if (t == GGUF_TYPE_INT32) return ((const int32_t *) d)[0];
            throw std::runtime_error("GGUF key '" + key + "' has an unsupported array type");
        }
        default: throw std::runtime_error("GGUF key '" + key + "' is not an integer");
    }
}

float get_float(gguf_context * g, const std::string & key, bool required, float def) {
    const int64_t id = key_id(g, key, required);
    if (id < 0) return def;
    switch (gguf_get_kv_type(g, id)) {
        case GGUF_TYPE_FLOAT32: return gguf_get_val_f32(g, id);
        case GGUF_TYPE_FLOAT64: return (float) gguf_get_val_f64(g, id);
        default: return (float) get_int(g, key, required, (int64_t) def);
    }
}

bool supported_weight_type(ggml_type t) {
    return t == GGML_TYPE_F32 || t == GGML_TYPE_F16 || t == GGML_TYPE_BF16 || t == GGML_TYPE_Q8_0 || t == GGML_TYPE_Q4_0 ||
           t == GGML_TYPE_Q4_K || t == GGML_TYPE_Q5_K || t == GGML_TYPE_Q6_K;
}

}  // namespace

Model * load_model(const std::string & path, ggml_backend_t backend, bool on_cpu, bool full) {
    {
        std::ifstream probe(path, std::ios::binary);
        if (!probe) throw std::runtime_error("model file not found or not readable: " + path);
        char magic[4] = {0, 0, 0, 0};
        probe.read(magic, 4);
        if (probe.gcount() != 4 || magic[0] != 'G' || magic[1] != 'G' || magic[2] != 'U' || magic[3] != 'F')
            throw std::runtime_error("not a GGUF file (bad magic): " + path);
    }
    auto * m = new Model();
    try {
        gguf_init_params params = {/*no_alloc*/ true, /*ctx*/ &m->ctx};
        m->gguf = gguf_init_from_file(path.c_str(), params);
        if (!m->gguf) throw std::runtime_error("could not parse GGUF file: " + path);
        gguf_context * g = m->gguf;

        const int64_t arch_id = key_id(g, "general.architecture", true);
        HParams & hp = m->hp;
        hp.arch = gguf_get_val_str(g, arch_id);
        if (hp.arch != "llama" && hp.arch != "qwen2" && hp.arch != "qwen3")
            throw std::runtime_error("unsupported architecture '" + hp.arch + "' (supported: llama, qwen2, qwen3)");
        const std::string a = hp.arch + ".";
        hp.n_embd = get_int(g, a + "embedding_length", true);
        hp.n_layer = get_int(g, a + "block_count", true);
        hp.n_ff = get_int(g, a + "feed_forward_length", true);
        hp.n_head = get_int(g, a + "attention.head_count", true);
        hp.n_head_kv = get_int(g, a + "attention.head_count_kv", false, hp.n_head);
        hp.n_ctx_train = get_int(g, a + "context_length", false, 2048);
        // checked before anything divides by them or sizes a tensor from them (head_count 0 was a SIGFPE)
        auto range = [&](const char * key, int64_t v, int64_t lo, int64_t hi) {
            if (v < lo || v > hi)
                throw std::runtime_error(path + ": " + a + key + " = " + std::to_string(v) + " is out of range [" + std::to_string(lo) + ", " +
                                         std::to_string(hi) + "]");
        };
        range("embedding_length", hp.n_embd, 1, 1 << 17);
        range("block_count", hp.n_layer, 1, 1024);
        range("feed_forward_length", hp.n_ff, 1, 1 << 20);
        range("attention.head_count", hp.n_head, 1, 4096);
        range("attention.head_count_kv", hp.n_head_kv, 1, hp.n_head);
        range("context_length", hp.n_ctx_train, 1, 1 << 24);
        if (hp.n_head % hp.n_head_kv != 0)
            throw std::runtime_error(path + ": " + a + "attention.head_count (" + std::to_string(hp.n_head) + ") is not a multiple of head_count_kv (" +
                                     std::to_string(hp.n_head_kv) + ")");
        if (key_id(g, a + "attention.key_length", false) < 0 && hp.n_embd % hp.n_head != 0)
            throw std::runtime_error(path + ": " + a + "embedding_length (" + std::to_string(hp.n_embd) + ") is not a multiple of attention.head_count (" +
                                     std::to_string(hp.n_head) + ")");
        hp.head_dim = get_int(g, a + "attention.key_length", false, hp.n_embd / hp.n_head);
        range("attention.key_length", hp.head_dim, 1, 1 << 14);
        const int64_t head_dim_v = get_int(g, a + "attention.value_length", false, hp.head_dim);
        if (head_dim_v != hp.head_dim) throw std::runtime_error(path + ": key_length != value_length is not supported");
        hp.n_rot = get_int(g, a + "rope.dimension_count", false, hp.head_dim);
        range("rope.dimension_count", hp.n_rot, 2, hp.head_dim);
        if (hp.n_rot % 2 != 0) throw std::runtime_error(path + ": " + a + "rope.dimension_count must be even");
        hp.eps = get_float(g, a + "attention.layer_norm_rms_epsilon", false, 1e-5f);
        if (!(hp.eps > 0.0f) || !std::isfinite(hp.eps)) throw std::runtime_error(path + ": " + a + "attention.layer_norm_rms_epsilon must be > 0");
        hp.freq_base = get_float(g, a + "rope.freq_base", false, 10000.0f);
        if (!(hp.freq_base > 0.0f) || !std::isfinite(hp.freq_base)) throw std::runtime_error(path + ": " + a + "rope.freq_base must be > 0");
        const float rope_scale = get_float(g, a + "rope.scaling.factor", false, 0.0f);
        if (rope_scale < 0.0f || !std::isfinite(rope_scale)) throw std::runtime_error(path + ": " + a + "rope.scaling.factor must be >= 0");
        hp.freq_scale = rope_scale == 0.0f ? 1.0f : 1.0f / rope_scale;
        const int64_t st = key_id(g, a + "rope.scaling.type", false);
        if (st >= 0) {
            const std::string s = gguf_get_val_str(g, st);
            if (s != "none" && s != "linear") throw std::runtime_error("unsupported rope scaling type '" + s + "'");
        }
        hp.rope_mode = hp.arch == "llama" ? 0 : GGML_ROPE_TYPE_NEOX;

        auto get = [&](const std::string & name, bool required, int64_t ne0 = -1, int64_t ne1 = -1) -> ggml_tensor * {
            ggml_tensor * t = ggml_get_tensor(m->ctx, name.c_str());
            if (!t && required) throw std::runtime_error("tensor '" + name + "' is missing");
            if (t && !supported_weight_type(t->type))
                throw std::runtime_error("tensor '" + name + "' has unsupported type " + ggml_type_name(t->type) +
                                         " (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K)");
            // a shape that disagrees with the hyperparameters would abort inside ggml when the graph is built
            if (t && ne0 >= 0 && (t->ne[0] != ne0 || t->ne[1] != (ne1 < 0 ? 1 : ne1) || t->ne[2] != 1 || t->ne[3] != 1))
                throw std::runtime_error(path + ": tensor '" + name + "' has shape [" + std::to_string(t->ne[0]) + ", " + std::to_string(t->ne[1]) +
                                         ", " + std::to_string(t->ne[2]) + "] but the hyperparameters need [" + std::to_string(ne0) +
                                         (ne1 < 0 ? std::string("") : ", " + std::to_string(ne1)) + "]");
            return t;
        };
        m->tok_embd = get("token_embd.weight", true);
        hp.n_vocab = m->tok_embd->ne[1];
        if (m->tok_embd->ne[0] != hp.n_embd || hp.n_vocab < 1 || hp.n_vocab > (1 << 24))
            throw std::runtime_error(path + ": tensor 'token_embd.weight' has shape [" + std::to_string(m->tok_embd->ne[0]) + ", " +
                                     std::to_string(hp.n_vocab) + "] but embedding_length is " + std::to_string(hp.n_embd));
        const int64_t E = hp.n_embd, Q = hp.n_head * hp.head_dim, KV = hp.n_head_kv * hp.head_dim, F = hp.n_ff, V = hp.n_vocab;
        m->out_norm = get("output_norm.weight", true, E);
        m->output = get("output.weight", false, E, V);
        if (!m->output) m->output = m->tok_embd;  // tied embeddings
        m->rope_freqs = get("rope_freqs.weight", false, hp.n_rot / 2);
        m->layers.resize(hp.n_layer);
        for (int64_t i = 0; i < hp.n_layer; ++i) {
            LayerWeights & l = m->layers[i];
            const std::string p = "blk." + std::to_string(i) + ".";
            l.attn_norm = get(p + "attn_norm.weight", true, E);
            l.wq = get(p + "attn_q.weight", true, E, Q);
            l.wk = get(p + "attn_k.weight", true, E, KV);
            l.wv = get(p + "attn_v.weight", true, E, KV);
            l.wo = get(p + "attn_output.weight", true, Q, E);
            l.bq = get(p + "attn_q.bias", false, Q);
            l.bk = get(p + "attn_k.bias", false, KV);
            l.bv = get(p + "attn_v.bias", false, KV);
            l.q_norm = get(p + "attn_q_norm.weight", hp.arch == "qwen3", hp.head_dim);
            l.k_norm = get(p + "attn_k_norm.weight", hp.arch == "qwen3", hp.head_dim);
            l.ffn_norm = get(p + "ffn_norm.weight", true, E);
            l.ffn_gate = get(p + "ffn_gate.weight", true, E, F);
            l.ffn_up = get(p + "ffn_up.weight", true, E, F);
            l.ffn_down = get(p + "ffn_down.weight", true, F, E);
            if (ggml_get_tensor(m->ctx, (p + "attn_qkv.weight").c_str()))
                throw std::runtime_error("fused attn_qkv tensors are not supported");
        }
        if (ggml_is_quantized(m->tok_embd->type) && m->output == m->tok_embd) {
            // get_rows works on quantized tables; nothing to do
        }

        // The backward pass of a frozen matmul is an out_prod with the weight. The CPU has out_prod for every type
        // here but BF16, so on the CPU only BF16 is widened to F32 on load (memory x2, exact values). On a GPU
        // neither backend has out_prod for a non-F32 src0, but both dequantize every type in get_rows: matrices stay
        // in their GGUF type (forward matmuls and get_rows read it) and each backward out_prod gets an F32 copy made
        // in the compute graph just before it (pass.cpp), which lives in the reused compute buffer. Vectors (norms,
        // biases: elementwise ops want F32, and they are small) are widened on load.
        // In full mode every weight is a parameter updated in F32, so everything is widened; a quantized weight cannot
        // be trained in place and is refused.
        std::vector<bool> widen((size_t) gguf_get_n_tensors(g), false);
        for (int64_t i = 0; i < gguf_get_n_tensors(g); ++i) {
            ggml_tensor * t = ggml_get_tensor(m->ctx, gguf_get_tensor_name(g, i));
            if (full && ggml_is_quantized(t->type))
                throw std::runtime_error(path + ": tensor '" + gguf_get_tensor_name(g, i) + "' is " + ggml_type_name(t->type) +
                                         "; mode 'full' trains F32, F16 or BF16 weights only (quantized weights cannot be updated)");
            if (full && t->type != GGML_TYPE_F32 && t->type != GGML_TYPE_F16 && t->type != GGML_TYPE_BF16)
                throw std::runtime_error(path + ": tensor '" + gguf_get_tensor_name(g, i) + "' has type " + ggml_type_name(t->type) + ", which mode 'full' cannot train");
            const bool keep = !full && (on_cpu ? t->type != GGML_TYPE_BF16 : ggml_n_dims(t) >= 2);
            if (t->type == GGML_TYPE_F32 || keep) continue;
            widen[(size_t) i] = true;
            t->type = GGML_TYPE_F32;
            t->nb[0] = sizeof(float);
            for (int d = 1; d < GGML_MAX_DIMS; ++d) t->nb[d] = t->nb[d - 1] * t->ne[d - 1];
        }
        m->buf = ggml_backend_alloc_ctx_tensors(m->ctx, backend);
        if (!m->buf) throw std::runtime_error("could not allocate the model weights on the backend");
        ggml_backend_buffer_set_usage(m->buf, GGML_BACKEND_BUFFER_USAGE_WEIGHTS);

        std::ifstream in(path, std::ios::binary);
        const size_t data_off = gguf_get_data_offset(g);
        std::vector<char> tmp;
        const bool host = ggml_backend_buffer_is_host(m->buf);
        for (int64_t i = 0; i < gguf_get_n_tensors(g); ++i) {
            const char * name = gguf_get_tensor_name(g, i);
            ggml_tensor * t = ggml_get_tensor(m->ctx, name);
            const size_t n = ggml_nbytes(t);
            in.seekg((std::streamoff) (data_off + gguf_get_tensor_offset(g, i)));
            if (widen[(size_t) i]) {
                const int64_t ne = ggml_nelements(t);
                const ggml_type orig = gguf_get_tensor_type(g, i);
                std::vector<char> src(gguf_get_tensor_size(g, i));
                std::vector<float> dst((size_t) ne);
                in.read(src.data(), (std::streamsize) src.size());
                ggml_get_type_traits(orig)->to_float(src.data(), dst.data(), ne);
                ggml_backend_tensor_set(t, dst.data(), 0, n);
            } else if (host) {
                in.read((char *) t->data, (std::streamsize) n);
            } else {
                tmp.resize(n);
                in.read(tmp.data(), (std::streamsize) n);
                ggml_backend_tensor_set(t, tmp.data(), 0, n);
            }
            if (!in) throw std::runtime_error(std::string("GGUF file is truncated at tensor '") + name + "'");
            m->n_params += ggml_nelements(t);
            m->weight_bytes += n;
        }
    } catch (...) {
        delete m;
        throw;
    }
    return m;
}
