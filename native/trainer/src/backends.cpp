#include "backends.h"

#include <dirent.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace {

typedef ggml_backend_reg_t (*backend_init_fn)(void);
typedef int (*backend_score_fn)(void);

struct Module {
    std::string path;
    ggml_backend_reg_t reg = nullptr;
};

std::vector<std::string> split_env(const char * name) {
    std::vector<std::string> out;
    const char * v = std::getenv(name);
    if (!v) return out;
    std::string s(v);
    size_t i = 0;
    while (i <= s.size()) {
        const size_t j = std::min(s.find(':', i), s.size());
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

// The folder the process loaded libggml-base.so from holds node-llama-cpp's CPU variants: the default search.
std::string ggml_base_dir() {
    Dl_info info{};
    if (dladdr((void *) &ggml_backend_dev_init, &info) && info.dli_fname) {
        std::string p = info.dli_fname;
        const size_t s = p.rfind('/');
        if (s != std::string::npos) return p.substr(0, s);
    }
    return ".";
}

std::vector<std::string> list_dir(const std::string & dir, const std::string & prefix) {
    std::vector<std::string> out;
    DIR * d = opendir(dir.c_str());
    if (!d) return out;
    while (dirent * e = readdir(d)) {
        const std::string n = e->d_name;
        if (n.rfind(prefix, 0) == 0 && n.size() > 3 && n.compare(n.size() - 3, 3, ".so") == 0) out.push_back(dir + "/" + n);
    }
    closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

// dlopen + the module's ggml_backend_init. RTLD_LOCAL: two CPU variants export the same symbols.
ggml_backend_reg_t open_module(const std::string & path, std::string & why, int * score_out) {
    void * h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char * e = dlerror();
        why = e ? e : ("cannot load " + path);
        return nullptr;
    }
    if (score_out) {
        auto score = (backend_score_fn) dlsym(h, "ggml_backend_score");
        // a module built for this machine only (no variant scoring) counts as supported
        *score_out = score ? score() : 1;
        if (*score_out == 0) {
            why = path + ": this CPU lacks the instructions it was built for";
            dlclose(h);
            return nullptr;
        }
    }
    auto init = (backend_init_fn) dlsym(h, "ggml_backend_init");
    if (!init) {
        why = path + " is not a ggml backend module (no ggml_backend_init)";
        dlclose(h);
        return nullptr;
    }
    ggml_backend_reg_t reg = init();
    if (!reg) {
        why = path + ": ggml_backend_init failed";
        return nullptr;
    }
    return reg;  // modules stay loaded for the life of the process, as ggml's own registry keeps them
}

// The best-scoring libggml-cpu*.so of the first folder that has a usable one.
ggml_backend_reg_t load_cpu(const std::vector<std::string> & dirs, std::string & lib, std::string & why) {
    for (const auto & dir : dirs) {
        std::string best;
        int best_score = 0;
        for (const auto & p : list_dir(dir, "libggml-cpu")) {
            void * h = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
            if (!h) continue;
            auto score = (backend_score_fn) dlsym(h, "ggml_backend_score");
            const int s = score ? score() : 1;
            dlclose(h);
            if (s > best_score) {
                best_score = s;
                best = p;
            }
        }
        if (best.empty()) continue;
        int s = 0;
        if (ggml_backend_reg_t reg = open_module(best, why, &s)) {
            lib = best;
            return reg;
        }
    }
    if (why.empty()) why = "no libggml-cpu*.so usable on this CPU in: " + [&] {
        std::string s;
        for (const auto & d : dirs) s += (s.empty() ? "" : ", ") + d;
        return s.empty() ? std::string("(no folders)") : s;
    }();
    return nullptr;
}

// libggml-<name>.so from the first folder where it loads; why collects each folder's reason.
ggml_backend_reg_t load_gpu(const std::string & name, const std::vector<std::string> & dirs, std::string & why) {
    std::string reasons;
    for (const auto & dir : dirs) {
        const std::string p = dir + "/libggml-" + name + ".so";
        std::string w;
        if (ggml_backend_reg_t reg = open_module(p, w, nullptr)) return reg;
        reasons += (reasons.empty() ? "" : "; ") + w;
    }
    why = reasons.empty() ? "no folder to look for libggml-" + name + ".so in" : reasons;
    return nullptr;
}

std::vector<std::string> dirs_for(const json & init, const char * key, const char * env, bool with_default) {
    std::vector<std::string> out;
    if (init.contains("backendDirs") && init["backendDirs"].is_object() && init["backendDirs"].contains(key)) {
        const json & v = init["backendDirs"][key];
        if (!v.is_array()) throw std::runtime_error(std::string("backendDirs.") + key + " must be an array of folders");
        for (const auto & d : v) {
            if (!d.is_string()) throw std::runtime_error(std::string("backendDirs.") + key + " must be an array of folders");
            out.push_back(d.get<std::string>());
        }
        return out;
    }
    out = split_env(env);
    if (out.empty() && with_default) out.push_back(ggml_base_dir());
    return out;
}

}  // namespace

json Backends::describe() const {
    json j = {{"name", kind}, {"device", device_name}, {"description", device_description}};
    if (on_gpu()) {
        j["memoryTotal"] = memory_total;
        j["memoryFree"] = memory_free;
    }
    if (!cpu_library.empty()) j["cpuLibrary"] = cpu_library;
    j["notUsed"] = not_used;
    return j;
}

Backends::~Backends() {
    if (main && main != cpu) ggml_backend_free(main);
    if (cpu) ggml_backend_free(cpu);
}

Backends * open_backends(const json & init, int n_threads) {
    std::string want = "auto";
    if (init.contains("backend") && !init["backend"].is_null()) {
        if (!init["backend"].is_string()) throw std::runtime_error("setting 'backend' must be a string (auto, cpu, cuda or vulkan)");
        want = init["backend"].get<std::string>();
    }
    if (want != "auto" && want != "cpu" && want != "cuda" && want != "vulkan")
        throw std::runtime_error("unknown backend '" + want + "' (auto, cpu, cuda or vulkan)");
    int device = 0;
    if (init.contains("device") && !init["device"].is_null()) {
        if (!init["device"].is_number_integer() || init["device"].get<int64_t>() < 0)
            throw std::runtime_error("setting 'device' must be a device index >= 0");
        device = init["device"].get<int>();
    }
    BackendSearch search;
    search.cpu = dirs_for(init, "cpu", "MEDSSR_GGML_CPU_DIRS", true);
    search.cuda = dirs_for(init, "cuda", "MEDSSR_GGML_CUDA_DIRS", false);
    search.vulkan = dirs_for(init, "vulkan", "MEDSSR_GGML_VULKAN_DIRS", false);

    auto * b = new Backends();
    try {
        // GPU first (node-llama-cpp's order for "auto" is CUDA, then Vulkan), the CPU always: it is the fallback.
        std::vector<std::string> gpus;
        if (want == "auto") gpus = {"cuda", "vulkan"};
        else if (want != "cpu") gpus = {want};
        for (const auto & g : gpus) {
            std::string why;
            // lavapipe crashes at random when the compute buffer grows between passes (native/README.md, "the
            // crash"); ggml-vulkan's graph-optimize pass (node reordering) raised the rate (3/8 vs 0/8 runs), so it
            // stays off unless asked for (MEDSSR_VK_GRAPH_OPTIMIZE=1). It is not the cause.
            if (g == "vulkan" && !std::getenv("MEDSSR_VK_GRAPH_OPTIMIZE")) setenv("GGML_VK_DISABLE_GRAPH_OPTIMIZE", "1", 0);
            ggml_backend_reg_t reg = load_gpu(g, g == "cuda" ? search.cuda : search.vulkan, why);
            if (reg && ggml_backend_reg_dev_count(reg) == 0) {
                why = "no " + std::string(g == "cuda" ? "CUDA" : "Vulkan") + " device";
                reg = nullptr;
            }
            if (reg && (size_t) device >= ggml_backend_reg_dev_count(reg)) {
                why = "device " + std::to_string(device) + " does not exist (" + std::to_string(ggml_backend_reg_dev_count(reg)) + " " + g +
                      " device(s))";
                reg = nullptr;
            }
            ggml_backend_dev_t dev = reg ? ggml_backend_reg_dev_get(reg, (size_t) device) : nullptr;
            if (dev && want == "auto" && ggml_backend_dev_type(dev) == GGML_BACKEND_DEVICE_TYPE_CPU) {
                why = std::string(ggml_backend_dev_description(dev)) + " is a CPU-type device (ask for it explicitly)";
                dev = nullptr;
            }
            ggml_backend_t be = dev ? ggml_backend_dev_init(dev, nullptr) : nullptr;
            if (dev && !be) why = std::string(ggml_backend_dev_name(dev)) + " could not be initialised";
            if (!be) {
                if (want != "auto") throw std::runtime_error("backend '" + want + "' is not available: " + why);
                b->not_used.push_back(g + ": " + why);
                continue;
            }
            b->main = be;
            b->kind = g;
            b->device_name = ggml_backend_dev_name(dev);
            b->device_description = ggml_backend_dev_description(dev);
            ggml_backend_dev_memory(dev, &b->memory_free, &b->memory_total);
            break;
        }
        std::string why;
        ggml_backend_reg_t cpu_reg = load_cpu(search.cpu, b->cpu_library, why);
        if (!cpu_reg) throw std::runtime_error("the CPU backend could not be loaded: " + why);
        ggml_backend_dev_t cpu_dev = ggml_backend_reg_dev_get(cpu_reg, 0);
        b->cpu = ggml_backend_dev_init(cpu_dev, nullptr);
        if (!b->cpu) throw std::runtime_error("the CPU backend could not be initialised");
        b->set_threads = (ggml_backend_set_n_threads_t) ggml_backend_reg_get_proc_address(cpu_reg, "ggml_backend_set_n_threads");
        if (b->set_threads) b->set_threads(b->cpu, n_threads);
        if (!b->main) {
            b->main = b->cpu;
            b->kind = "cpu";
            b->device_name = ggml_backend_dev_name(cpu_dev);
            b->device_description = ggml_backend_dev_description(cpu_dev);
        }
    } catch (...) {
        delete b;
        throw;
    }
    return b;
}
