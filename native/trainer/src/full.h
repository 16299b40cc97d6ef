// Full-parameter mode: every weight tensor of the model is trainable (F32), with GGUF model export and checkpoints.
#pragma once
#include <string>

#include "lora.h"
#include "model.h"

// The model's own tensors as parameters (ggml_set_param), with host master copies read back from the backend.
// rope_freqs is a fixed frequency table, not a weight: it stays as loaded.
struct FullParams : ParamSet {
    std::vector<std::string> names;  // GGUF tensor names, parallel to params
};

FullParams * create_full_params(Model & model);

// A GGUF model llama.cpp loads: every KV pair of the input GGUF (general.file_type set to all-F32, since every
// tensor is written as F32), plus medssr.trainer.updates; every tensor of the input with its current F32 weights.
void save_full_model(const FullParams & fp, const Model & model, int64_t updates, const std::string & path);

// Checkpoint: weights, opt.m.* / opt.v.* moments, medssr.mode = full, update count and RNG state.
void save_full_checkpoint(const FullParams & fp, const Model & model, const CheckpointState & st, const std::string & path);
CheckpointState load_full_checkpoint(FullParams & fp, const std::string & path);

// "lora" or "full": what a checkpoint holds (checkpoints written before full mode existed are LoRA ones).
std::string checkpoint_mode(const std::string & path);
