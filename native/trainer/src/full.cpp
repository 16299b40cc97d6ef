#include "full.h"

#include <cstring>
#include <stdexcept>

FullParams * create_full_params(Model & model) {
    auto * fp = new FullParams();
    gguf_context * g = model.gguf;
    for (int64_t i = 0; i < gguf_get_n_tensors(g); ++i) {
        const char * name = gguf_get_tensor_name(g, i);
        ggml_tensor * t = ggml_get_tensor(model.ctx, name);
        if (t == model.rope_freqs) continue;
        if (t->type != GGML_TYPE_F32) {
            delete fp;
            throw std::runtime_error(std::string("full mode: tensor '") + name + "' is " + ggml_type_name(t->type) + ", not F32");
        }
        ggml_set_param(t);
        fp->params.push_back(t);
        fp->names.emplace_back(name);
        const size_t n = (size_t) ggml_nelements(t);
        fp->host.emplace_back(n, 0.0f);
        ggml_backend_tensor_get(t, fp->host.back().data(), 0, n * sizeof(float));
        fp->m.emplace_back(n, 0.0f);
        fp->v.emplace_back(n, 0.0f);
        fp->n_trainable += (int64_t) n;
    }
    return fp;
}

namespace {

// F32 host tensors for gguf_add_tensor, which reads tensor->data when the file is written.
struct HostCopies {
    ggml_context * ctx = nullptr;
    HostCopies(size_t bytes, size_t n) {
        ggml_init_params ip = {bytes + n * (ggml_tensor_overhead() + 64), nullptr, false};
        ctx = ggml_init(ip);
        if (!ctx) throw std::runtime_error("out of memory preparing a GGUF file");
    }
    void add(gguf_context * g, const std::string & name, const ggml_tensor * like, const float * data) {
        ggml_tensor * t = ggml_new_tensor(ctx, GGML_TYPE_F32, ggml_n_dims(like), like->ne);
        ggml_set_name(t, name.c_str());
        memcpy(t->data, data, ggml_nbytes(t));
        gguf_add_tensor(g, t);
    }
    ~HostCopies() { ggml_free(ctx); }
};

struct GgufOut {
    gguf_context * g = gguf_init_empty();
    ~GgufOut() { gguf_free(g); }
};

}  // namespace

void save_full_model(const FullParams & fp, const Model & model, int64_t updates, const std::string & path) {
    gguf_context * src = model.gguf;
    size_t bytes = 0;
    for (int64_t i = 0; i < gguf_get_n_tensors(src); ++i) bytes += ggml_nbytes(ggml_get_tensor(model.ctx, gguf_get_tensor_name(src, i)));
    HostCopies hc(bytes, (size_t) gguf_get_n_tensors(src));
    GgufOut out;
    gguf_set_kv(out.g, src);
    // the tensors are F32 now whatever the input stored (llama.cpp reports this as the file's type)
    if (gguf_find_key(out.g, "general.file_type") >= 0) gguf_set_val_u32(out.g, "general.file_type", 0);
    gguf_set_val_i64(out.g, "medssr.trainer.updates", updates);
    std::vector<float> tmp;
    for (int64_t i = 0; i < gguf_get_n_tensors(src); ++i) {
        const std::string name = gguf_get_tensor_name(src, i);
        const ggml_tensor * t = ggml_get_tensor(model.ctx, name.c_str());
        size_t k = 0;
        while (k < fp.names.size() && fp.names[k] != name) ++k;
        if (k < fp.names.size()) {
            hc.add(out.g, name, t, fp.host[k].data());
        } else {
            tmp.resize((size_t) ggml_nelements(t));
            ggml_backend_tensor_get(t, tmp.data(), 0, tmp.size() * sizeof(float));
            hc.add(out.g, name, t, tmp.data());
        }
    }
    atomic_write_gguf(out.g, path);
}

void save_full_checkpoint(const FullParams & fp, const Model & model, const CheckpointState & st, const std::string & path) {
    size_t bytes = 0;
    for (const auto & h : fp.host) bytes += h.size() * sizeof(float) * 3;
    HostCopies hc(bytes, fp.params.size() * 3);
    GgufOut out;
    gguf_set_val_str(out.g, "general.architecture", model.hp.arch.c_str());
    gguf_set_val_str(out.g, "medssr.kind", "checkpoint");
    gguf_set_val_str(out.g, "medssr.mode", "full");
    gguf_set_val_i64(out.g, "medssr.updates", st.updates);
    gguf_set_val_str(out.g, "medssr.rng", st.rng.c_str());
    gguf_set_val_str(out.g, "medssr.extra", st.extra_json.c_str());
    for (size_t i = 0; i < fp.params.size(); ++i) {
        hc.add(out.g, fp.names[i], fp.params[i], fp.host[i].data());
        hc.add(out.g, "opt.m." + fp.names[i], fp.params[i], fp.m[i].data());
        hc.add(out.g, "opt.v." + fp.names[i], fp.params[i], fp.v[i].data());
    }
    atomic_write_gguf(out.g, path);
}

namespace {

struct GgufIn {
    gguf_context * g = nullptr;
    ggml_context * ctx = nullptr;
    GgufIn(const std::string & path, bool with_data) {
        gguf_init_params p = {!with_data, with_data ? &ctx : nullptr};
        g = gguf_init_from_file(path.c_str(), p);
        if (!g) throw std::runtime_error("cannot read checkpoint (missing or not GGUF): " + path);
    }
    ~GgufIn() {
        gguf_free(g);
        if (ctx) ggml_free(ctx);
    }
    std::string str(const char * key) const {
        const int64_t id = gguf_find_key(g, key);
        return id >= 0 && gguf_get_kv_type(g, id) == GGUF_TYPE_STRING ? gguf_get_val_str(g, id) : "";
    }
};

}  // namespace

std::string checkpoint_mode(const std::string & path) {
    GgufIn f(path, false);
    if (f.str("medssr.kind") != "checkpoint") throw std::runtime_error("not a medssr checkpoint: " + path);
    const std::string m = f.str("medssr.mode");
    return m.empty() ? "lora" : m;
}

CheckpointState load_full_checkpoint(FullParams & fp, const std::string & path) {
    GgufIn f(path, true);
    if (f.str("medssr.kind") != "checkpoint" || f.str("medssr.mode") != "full") throw std::runtime_error("not a full-mode medssr checkpoint: " + path);
    auto copy = [&](const std::string & name, const ggml_tensor * like, std::vector<float> & dst) {
        const ggml_tensor * t = ggml_get_tensor(f.ctx, name.c_str());
        if (!t || t->type != GGML_TYPE_F32 || !ggml_are_same_shape(t, like))
            throw std::runtime_error("resume " + path + ": tensor '" + name + "' is missing or has another shape than the model's (a checkpoint of another model?)");
        memcpy(dst.data(), t->data, dst.size() * sizeof(float));
    };
    // a checkpoint of a larger model (more layers) would otherwise resume silently from part of its weights
    size_t n_weights = 0;
    for (int64_t i = 0; i < gguf_get_n_tensors(f.g); ++i)
        if (std::string(gguf_get_tensor_name(f.g, i)).rfind("opt.", 0) != 0) ++n_weights;
    if (n_weights != fp.params.size())
        throw std::runtime_error("resume " + path + ": the checkpoint holds " + std::to_string(n_weights) + " weight tensors but the model has " +
                                 std::to_string(fp.params.size()) + " (a checkpoint of another model?)");
    for (size_t i = 0; i < fp.params.size(); ++i) {
        copy(fp.names[i], fp.params[i], fp.host[i]);
        copy("opt.m." + fp.names[i], fp.params[i], fp.m[i]);
        copy("opt.v." + fp.names[i], fp.params[i], fp.v[i]);
    }
    fp.upload();
    CheckpointState st;
    const int64_t uid = gguf_find_key(f.g, "medssr.updates");
    if (uid < 0 || gguf_get_kv_type(f.g, uid) != GGUF_TYPE_INT64) throw std::runtime_error("resume " + path + ": medssr.updates is missing");
    st.updates = gguf_get_val_i64(f.g, uid);
    st.rng = f.str("medssr.rng");
    st.extra_json = f.str("medssr.extra");
    return st;
}
