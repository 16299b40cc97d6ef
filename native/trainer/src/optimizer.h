// AdamW on the host master copy of the trainable parameters (F32), with global-norm clipping and the lr schedule.
#pragma once
#include <vector>

#include "config.h"
#include "lora.h"

double lr_at(const OptimConfig & opt, int64_t update);
// Applies one update (update index `updates`) from grads; returns the lr used. Throws when the gradient is not finite.
double adamw_update(const OptimConfig & opt, int64_t updates, ParamSet & lora, const std::vector<std::vector<float>> & grads,
                    double & grad_norm_out);
