#include "lora.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

#include "ggml-alloc.h"

Lora::~Lora() {
    if (buf) ggml_backend_buffer_free(buf);
    if (ctx) ggml_free(ctx);
}

void ParamSet::upload() {
    for (size_t i = 0; i < params.size(); ++i) ggml_backend_tensor_set(params[i], host[i].data(), 0, host[i].size() * sizeof(float));
}

Lora * create_lora(Model & model, ggml_backend_t backend, const LoraConfig & cfg, std::mt19937_64 & rng) {
    if (cfg.rank < 1) throw std::runtime_error("lora.rank must be >= 1");
    if (cfg.targets.empty()) throw std::runtime_error("lora.targets is empty");
    for (const auto & t : cfg.targets) {
        bool known = false;
        for (const auto & n : lora_target_names()) known = known || n == t;
        if (!known) throw std::runtime_error("unknown LoRA target '" + t + "' (supported: attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down)");
    }
    auto * l = new Lora();
    l->cfg = cfg;
    const size_t n_pairs = cfg.targets.size() * (size_t) model.hp.n_layer;
    ggml_init_params ip = {ggml_tensor_overhead() * (2 * n_pairs + 8), nullptr, true};
    l->ctx = ggml_init(ip);
    for (int64_t il = 0; il < model.hp.n_layer; ++il) {
        for (const auto & t : lora_target_names()) {
            bool wanted = false;
            for (const auto & w : cfg.targets) wanted = wanted || w == t;
            if (!wanted) continue;
            LoraPair p;
            p.base = layer_target(model.layers[il], t);
            p.base_name = "blk." + std::to_string(il) + "." + t + ".weight";
            const int64_t n_in = p.base->ne[0], n_out = p.base->ne[1];
            p.a = ggml_new_tensor_2d(l->ctx, GGML_TYPE_F32, n_in, cfg.rank);
            p.b = ggml_new_tensor_2d(l->ctx, GGML_TYPE_F32, cfg.rank, n_out);
            ggml_set_name(p.a, (p.base_name + ".lora_a").c_str());
            ggml_set_name(p.b, (p.base_name + ".lora_b").c_str());
            ggml_set_param(p.a);
            ggml_set_param(p.b);
            l->by_base[p.base] = l->pairs.size();
            l->pairs.push_back(p);
            l->params.push_back(p.a);
            l->params.push_back(p.b);
        }
    }
    l->buf = ggml_backend_alloc_ctx_tensors(l->ctx, backend);
    if (!l->buf) {
        delete l;
        throw std::runtime_error("could not allocate LoRA tensors");
    }
    for (auto * t : l->params) {
        l->host.emplace_back((size_t) ggml_nelements(t), 0.0f);
        l->m.emplace_back((size_t) ggml_nelements(t), 0.0f);
        l->v.emplace_back((size_t) ggml_nelements(t), 0.0f);
        l->n_trainable += ggml_nelements(t);
    }
    // A: Kaiming-uniform as in PEFT (bound 1/sqrt(fan_in)); B: zero so the adapted model starts equal to the base.
    for (size_t i = 0; i < l->pairs.size(); ++i) {
        const LoraPair & p = l->pairs[i];
        const float bound = 1.0f / std::sqrt((float) p.a->ne[0]);
        std::uniform_real_distribution<float> ua(-bound, bound);
        for (auto & x : l->host[2 * i]) x = ua(rng);
        if (cfg.init_b_std > 0.0f) {
            std::normal_distribution<float> nb(0.0f, cfg.init_b_std);
            for (auto & x : l->host[2 * i + 1]) x = nb(rng);
        }
    }
    l->upload();
    return l;
}

void atomic_write_gguf(gguf_context * g, const std::string & path) {
    const std::string tmp = path + ".tmp." + std::to_string(getpid());
    if (!gguf_write_to_file(g, tmp.c_str(), false)) {
        std::remove(tmp.c_str());
        throw std::runtime_error("cannot write file: " + path);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw std::runtime_error("cannot rename temp file onto: " + path);
    }
}

namespace {

// Host-side tensors for gguf_add_tensor (it reads tensor->data at write time).
struct HostTensors {
    ggml_context * ctx = nullptr;
    explicit HostTensors(size_t bytes, size_t n) {
        ggml_init_params ip = {bytes + n * (ggml_tensor_overhead() + 64), nullptr, false};
        ctx = ggml_init(ip);
    }
    ggml_tensor * add(const std::string & name, const ggml_tensor * like, const std::vector<float> & data) {
        ggml_tensor * t = ggml_new_tensor(ctx, GGML_TYPE_F32, 2, like->ne);
        ggml_set_name(t, name.c_str());
        memcpy(t->data, data.data(), data.size() * sizeof(float));
        return t;
    }
    ~HostTensors() { ggml_free(ctx); }
};

size_t total_bytes(const Lora & l, int copies) {
    size_t s = 0;
    for (const auto & h : l.host) s += h.size() * sizeof(float);
    return s * (size_t) copies;
}

void set_adapter_kv(gguf_context * g, const Lora & lora, const Model & model) {
    gguf_set_val_str(g, "general.architecture", model.hp.arch.c_str());
    gguf_set_val_str(g, "general.type", "adapter");
    gguf_set_val_str(g, "general.name", "medssr-lora");
    gguf_set_val_str(g, "adapter.type", "lora");
    gguf_set_val_f32(g, "adapter.lora.alpha", lora.cfg.alpha);
}

}  // namespace

void save_adapter(const Lora & lora, const Model & model, const std::string & path) {
    HostTensors ht(total_bytes(lora, 1), lora.params.size());
    gguf_context * g = gguf_init_empty();
    set_adapter_kv(g, lora, model);
    for (size_t i = 0; i < lora.params.size(); ++i) gguf_add_tensor(g, ht.add(ggml_get_name(lora.params[i]), lora.params[i], lora.host[i]));
    try {
        atomic_write_gguf(g, path);
    } catch (...) {
        gguf_free(g);
        throw;
    }
    gguf_free(g);
}

void save_checkpoint(const Lora & lora, const Model & model, const CheckpointState & st, const std::string & path) {
    HostTensors ht(total_bytes(lora, 3), 3 * lora.params.size());
    gguf_context * g = gguf_init_empty();
    set_adapter_kv(g, lora, model);
    gguf_set_val_str(g, "medssr.kind", "checkpoint");
    gguf_set_val_i64(g, "medssr.updates", st.updates);
    gguf_set_val_str(g, "medssr.rng", st.rng.c_str());
    gguf_set_val_str(g, "medssr.extra", st.extra_json.c_str());
    gguf_set_val_i32(g, "medssr.lora.rank", lora.cfg.rank);
    std::vector<const char *> targets;
    for (const auto & t : lora.cfg.targets) targets.push_back(t.c_str());
    gguf_set_arr_str(g, "medssr.lora.targets", targets.data(), targets.size());
    for (size_t i = 0; i < lora.params.size(); ++i) {
        const std::string n = ggml_get_name(lora.params[i]);
        gguf_add_tensor(g, ht.add(n, lora.params[i], lora.host[i]));
        gguf_add_tensor(g, ht.add("opt.m." + n, lora.params[i], lora.m[i]));
        gguf_add_tensor(g, ht.add("opt.v." + n, lora.params[i], lora.v[i]));
    }
    try {
        atomic_write_gguf(g, path);
    } catch (...) {
        gguf_free(g);
        throw;
    }
    gguf_free(g);
}

namespace {
struct GgufFile {
    gguf_context * g = nullptr;
    ggml_context * ctx = nullptr;
    explicit GgufFile(const std::string & path, bool with_data) {
        gguf_init_params p = {!with_data, with_data ? &ctx : nullptr};
        g = gguf_init_from_file(path.c_str(), p);
        if (!g) throw std::runtime_error("cannot read checkpoint (missing or not GGUF): " + path);
        if (gguf_find_key(g, "medssr.kind") < 0) {
            gguf_free(g);
            if (ctx) ggml_free(ctx);
            throw std::runtime_error("not a medssr checkpoint: " + path);
        }
    }
    ~GgufFile() {
        gguf_free(g);
        if (ctx) ggml_free(ctx);
    }
};
}  // namespace

LoraConfig read_checkpoint_config(const std::string & path) {
    GgufFile f(path, false);
    LoraConfig c;
    c.rank = gguf_get_val_i32(f.g, gguf_find_key(f.g, "medssr.lora.rank"));
    c.alpha = gguf_get_val_f32(f.g, gguf_find_key(f.g, "adapter.lora.alpha"));
    const int64_t tid = gguf_find_key(f.g, "medssr.lora.targets");
    c.targets.clear();
    for (size_t i = 0; i < gguf_get_arr_n(f.g, tid); ++i) c.targets.emplace_back(gguf_get_arr_str(f.g, tid, i));
    return c;
}

CheckpointState load_checkpoint(Lora & lora, const std::string & path) {
    GgufFile f(path, true);
    auto copy = [&](const std::string & name, std::vector<float> & dst) {
        ggml_tensor * t = ggml_get_tensor(f.ctx, name.c_str());
        if (!t || t->type != GGML_TYPE_F32 || (size_t) ggml_nelements(t) != dst.size())
            throw std::runtime_error("checkpoint tensor '" + name + "' is missing or has the wrong shape");
        memcpy(dst.data(), t->data, dst.size() * sizeof(float));
    };
    for (size_t i = 0; i < lora.params.size(); ++i) {
        const std::string n = ggml_get_name(lora.params[i]);
        copy(n, lora.host[i]);
        copy("opt.m." + n, lora.m[i]);
        copy("opt.v." + n, lora.v[i]);
    }
    lora.upload();
    CheckpointState st;
    st.updates = gguf_get_val_i64(f.g, gguf_find_key(f.g, "medssr.updates"));
    st.rng = gguf_get_val_str(f.g, gguf_find_key(f.g, "medssr.rng"));
    st.extra_json = gguf_get_val_str(f.g, gguf_find_key(f.g, "medssr.extra"));
    return st;
}

void load_adapter_weights(Lora & lora, const Model & model, const std::string & path) {
    ggml_context * ctx = nullptr;
    gguf_init_params p = {false, &ctx};
    gguf_context * g = gguf_init_from_file(path.c_str(), p);
    if (!g) throw std::runtime_error("lora.initFrom: cannot read adapter (missing or not GGUF): " + path);
    struct Guard {
        gguf_context * g;
        ggml_context * c;
        ~Guard() {
            gguf_free(g);
            if (c) ggml_free(c);
        }
    } guard{g, ctx};
    auto str = [&](const char * key) -> std::string {
        const int64_t id = gguf_find_key(g, key);
        return id >= 0 && gguf_get_kv_type(g, id) == GGUF_TYPE_STRING ? gguf_get_val_str(g, id) : "";
    };
    const std::string where = "lora.initFrom " + path + ": ";
    if (str("general.type") != "adapter" || str("adapter.type") != "lora")
        throw std::runtime_error(where + "not a LoRA adapter (general.type '" + str("general.type") + "', adapter.type '" + str("adapter.type") + "')");
    if (str("general.architecture") != model.hp.arch)
        throw std::runtime_error(where + "general.architecture is '" + str("general.architecture") + "' but the model is '" + model.hp.arch + "'");
    const int64_t aid = gguf_find_key(g, "adapter.lora.alpha");
    if (aid < 0 || gguf_get_kv_type(g, aid) != GGUF_TYPE_FLOAT32) throw std::runtime_error(where + "adapter.lora.alpha is missing");
    const float alpha = gguf_get_val_f32(g, aid);
    if (std::fabs(alpha - lora.cfg.alpha) > 1e-6f * std::max(1.0f, std::fabs(alpha)))
        throw std::runtime_error(where + "adapter.lora.alpha is " + std::to_string(alpha) + " but lora.alpha is " + std::to_string(lora.cfg.alpha));
    size_t n_lora = 0;
    for (int64_t i = 0; i < gguf_get_n_tensors(g); ++i) {
        const std::string n = gguf_get_tensor_name(g, i);
        if (n.size() > 7 && (n.compare(n.size() - 7, 7, ".lora_a") == 0 || n.compare(n.size() - 7, 7, ".lora_b") == 0)) ++n_lora;
    }
    if (n_lora != lora.params.size())
        throw std::runtime_error(where + "has " + std::to_string(n_lora) + " LoRA tensors but lora.rank/targets make " + std::to_string(lora.params.size()));
    for (size_t i = 0; i < lora.params.size(); ++i) {
        const ggml_tensor * want = lora.params[i];
        const char * name = ggml_get_name(want);
        const ggml_tensor * t = ggml_get_tensor(ctx, name);
        if (!t) throw std::runtime_error(where + "tensor '" + name + "' is missing (lora.targets differ?)");
        if (t->ne[0] != want->ne[0] || t->ne[1] != want->ne[1] || t->ne[2] != 1 || t->ne[3] != 1)
            throw std::runtime_error(where + "tensor '" + name + "' has shape [" + std::to_string(t->ne[0]) + ", " + std::to_string(t->ne[1]) +
                                     "] but lora.rank " + std::to_string(lora.cfg.rank) + " needs [" + std::to_string(want->ne[0]) + ", " +
                                     std::to_string(want->ne[1]) + "]");
        auto & dst = lora.host[i];
        if (t->type == GGML_TYPE_F32) {
            memcpy(dst.data(), t->data, dst.size() * sizeof(float));
        } else if (const auto * tr = ggml_get_type_traits(t->type); tr && tr->to_float && !ggml_is_quantized(t->type)) {
            tr->to_float(t->data, dst.data(), (int64_t) dst.size());
        } else {
            throw std::runtime_error(where + "tensor '" + name + "' has type " + ggml_type_name(t->type) + " (F32, F16 or BF16 expected)");
        }
        for (float x : dst)
            if (!std::isfinite(x)) throw std::runtime_error(where + "tensor '" + name + "' holds a value that is not finite");
    }
    lora.upload();
}
