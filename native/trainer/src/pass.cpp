#include "pass.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <vector>

namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Profile {
    ggml_backend_sched_t sched;
    std::map<std::string, double> per_op;
    double last = 0;
};

std::string op_key(const ggml_tensor * nd) {
    std::string key = ggml_op_desc(nd);
    if ((nd->op == GGML_OP_MUL_MAT || nd->op == GGML_OP_OUT_PROD) && nd->src[0] && nd->src[1])
        key += "[" + std::to_string(nd->src[0]->ne[0]) + "x" + std::to_string(nd->src[0]->ne[1]) + "," + std::to_string(nd->src[1]->ne[0]) +
               "x" + std::to_string(nd->src[1]->ne[1]) + "x" + std::to_string(nd->src[1]->ne[2]) + "]";
    return key;
}

// Asked about every node, the scheduler computes up to it and calls back: the time since the previous node is its
// own (the scheduler runs one node at a time then, so totals are inflated against a whole-graph compute).
bool profile_cb(ggml_tensor * t, bool ask, void * user) {
    auto * p = (Profile *) user;
    if (ask) return true;
    if (ggml_backend_t b = ggml_backend_sched_get_tensor_backend(p->sched, t)) ggml_backend_synchronize(b);
    const double now = now_s();
    std::string key = op_key(t);
    if (ggml_backend_t b = ggml_backend_sched_get_tensor_backend(p->sched, t)) key += std::string(" @") + ggml_backend_name(b);
    p->per_op[key] += now - p->last;
    p->last = now;
    return true;
}

}  // namespace

namespace {

bool gpu_lacks(const Backends & be, ggml_tensor * n) {
    return n->op == GGML_OP_OUT_PROD && !ggml_backend_supports_op(be.main, n);
}

}  // namespace

ggml_cgraph * device_ready_graph(ggml_context * ctx, ggml_cgraph * gf, size_t graph_size, const Backends & be, ggml_tensor * iota) {
    if (!be.on_gpu()) return gf;
    bool any = false;
    for (int i = 0; i < ggml_graph_n_nodes(gf) && !any; ++i) any = gpu_lacks(be, ggml_graph_node(gf, i));
    if (!any) return gf;
    // Rebuilt node by node in the original order so each new node lands just before its consumer: the F32 copy of a
    // weight is then allocated right before its out_prod and its memory is free again right after.
    ggml_cgraph * g2 = ggml_new_graph_custom(ctx, graph_size, false);
    for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) {
        ggml_tensor * n = ggml_graph_node(gf, i);
        if (gpu_lacks(be, n)) {
            ggml_tensor * w = n->src[0];
            // a frozen weight in its GGUF type (model.cpp): get_rows over all its rows dequantizes it to F32
            if (w->type != GGML_TYPE_F32 && iota && ggml_n_dims(w) <= 2 && w->ne[1] <= iota->ne[0]) {
                ggml_tensor * wide = ggml_get_rows(ctx, w, ggml_view_1d(ctx, iota, w->ne[1], 0));
                if (ggml_backend_supports_op(be.main, wide)) n->src[0] = wide;
            }
            if (!ggml_backend_supports_op(be.main, n) && !ggml_is_contiguous(n->src[1])) {
                ggml_tensor * c = ggml_cont(ctx, n->src[1]);
                ggml_tensor * old = n->src[1];
                n->src[1] = c;
                if (!ggml_backend_supports_op(be.main, n)) n->src[1] = old;
            }
        }
        ggml_build_forward_expand(g2, n);
    }
    return g2;
}

void check_supported(ggml_cgraph * gf, const Backends & be) {
    for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) {
        ggml_tensor * node = ggml_graph_node(gf, i);
        if (node->op == GGML_OP_NONE) continue;
        if (ggml_backend_supports_op(be.main, node) || (be.on_gpu() && ggml_backend_supports_op(be.cpu, node))) continue;
        std::string types;
        for (int j = 0; j < GGML_MAX_SRC && node->src[j]; ++j) types += std::string(j ? ", " : "") + ggml_type_name(node->src[j]->type);
        throw std::runtime_error(std::string("no backend (") + ggml_backend_name(be.main) + (be.on_gpu() ? " or CPU" : "") + ") can run " +
                                 ggml_op_desc(node) + " on (" + types + ")" +
                                 (node->src[0] && node->src[0]->name[0] ? std::string(" for tensor '") + node->src[0]->name + "'" : ""));
    }
}

void compute_graph(ggml_backend_sched_t sched, ggml_cgraph * gf) {
    if (!std::getenv("MEDSSR_PROFILE")) {
        if (ggml_backend_sched_graph_compute(sched, gf) != GGML_STATUS_SUCCESS) throw std::runtime_error("graph compute failed");
        return;
    }
    Profile p{sched, {}, now_s()};
    ggml_backend_sched_set_eval_callback(sched, profile_cb, &p);
    const ggml_status st = ggml_backend_sched_graph_compute(sched, gf);
    ggml_backend_sched_synchronize(sched);
    ggml_backend_sched_set_eval_callback(sched, nullptr, nullptr);
    if (st != GGML_STATUS_SUCCESS) throw std::runtime_error("graph compute failed");
    std::vector<std::pair<double, std::string>> v;
    for (auto & kv : p.per_op) v.emplace_back(kv.second, kv.first);
    std::sort(v.rbegin(), v.rend());
    for (size_t i = 0; i < std::min<size_t>(25, v.size()); ++i) fprintf(stderr, "profile %8.4f s  %s\n", v[i].first, v[i].second.c_str());
}
