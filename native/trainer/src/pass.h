// Helpers of one forward/backward pass on the backend scheduler.
#pragma once
#include <string>

#include "backends.h"
#include "ggml.h"

// A GPU backend may lack an op form the CPU has: neither GPU backend has OUT_PROD with a non-F32 src0 (the input
// gradient of a matmul with a frozen F16 / BF16 / quantized weight), and Vulkan refuses one with a non-contiguous
// src1 (every matmul's input gradient). Returns a graph where such a weight is widened to F32 by
// get_rows(w, iota[0..rows)) just before its OUT_PROD, and such a src1 made contiguous, so the pass stays on the
// device. iota: I32 0, 1, 2, ... at least as long as any weight has rows (nullptr: no widening).
ggml_cgraph * device_ready_graph(ggml_context * ctx, ggml_cgraph * gf, size_t graph_size, const Backends & be, ggml_tensor * iota);

// Throws naming the op, its source types and tensor when no backend (device or CPU fallback) can run a node.
void check_supported(ggml_cgraph * gf, const Backends & be);

// Computes the allocated graph; with MEDSSR_PROFILE set, prints per-op times through the scheduler's eval callback.
void compute_graph(ggml_backend_sched_t sched, ggml_cgraph * gf);
