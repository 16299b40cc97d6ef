// Helpers of one forward/backward pass on the backend scheduler.
#pragma once
#include <string>

#include "backends.h"
#include "ggml.h"

// A GPU backend may lack an op form the CPU has: Vulkan refuses OUT_PROD with a non-contiguous src1 (the input
// gradient of every matmul). Returns a graph with such src1 made contiguous, so the pass stays on the device.
ggml_cgraph * device_ready_graph(ggml_context * ctx, ggml_cgraph * gf, size_t graph_size, const Backends & be);

// Throws naming the op, its source types and tensor when no backend (device or CPU fallback) can run a node.
void check_supported(ggml_cgraph * gf, const Backends & be);

// Computes the allocated graph; with MEDSSR_PROFILE set, prints per-op times through the scheduler's eval callback.
void compute_graph(ggml_backend_sched_t sched, ggml_cgraph * gf);
