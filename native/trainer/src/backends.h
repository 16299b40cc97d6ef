// Compute backends loaded at run time from node-llama-cpp's prebuilt modules (libggml-cpu-<variant>.so,
// libggml-cuda.so, libggml-vulkan.so): which one trains, on which device, and why a requested one did not load.
#pragma once
#include <string>
#include <vector>

#include "ggml-backend.h"
#include "nlohmann/json.hpp"

using json = nlohmann::json;

struct BackendSearch {
    // folders to look in, per backend, in the order node-llama-cpp would use them (first loadable wins)
    std::vector<std::string> cpu, cuda, vulkan;
};

struct Backends {
    ggml_backend_t main = nullptr;  // the device that trains (the CPU when no GPU backend is used)
    ggml_backend_t cpu = nullptr;   // fallback for nodes the device lacks; == main on the CPU
    std::string kind;               // cpu | cuda | vulkan
    std::string device_name, device_description, cpu_library;
    size_t memory_total = 0, memory_free = 0;
    std::vector<std::string> not_used;  // why a requested / considered backend was not used
    ggml_backend_set_n_threads_t set_threads = nullptr;

    bool on_gpu() const { return main != cpu; }
    json describe() const;
    ~Backends();
};

// Reads init.backend ("auto" | "cpu" | "cuda" | "vulkan"), init.device and init.backendDirs; throws naming the
// reason when an explicitly requested GPU backend cannot be used ("auto" falls back to the CPU and says why).
Backends * open_backends(const json & init, int n_threads);
