// medssr-trainer: GRPO + LoRA (or full-parameter sft / GRPO) on ggml, driven by line-delimited JSON on stdin; answers on stdout, logs on stderr.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "trainer.h"

namespace {

json g_current_id = nullptr;

void emit(const json & j) {
    const std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void emit_error(const json & id, const std::string & msg) { emit({{"id", id}, {"event", "error"}, {"message", msg}}); }

// ggml aborts on internal assertion failures; say so on the protocol before the process dies.
void on_ggml_abort(const char * msg) {
    emit({{"id", g_current_id}, {"event", "error"}, {"fatal", true}, {"message", std::string("ggml abort: ") + (msg ? msg : "")}});
}

}  // namespace

int main() {
    ggml_set_abort_callback(on_ggml_abort);
    std::ios::sync_with_stdio(false);
    std::unique_ptr<Trainer> trainer;
    std::string line;
    while (std::getline(std::cin, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        json cmd;
        try {
            cmd = json::parse(line);
        } catch (const std::exception & e) {
            emit_error(nullptr, std::string("malformed JSON: ") + e.what());
            continue;
        }
        const json id = cmd.is_object() && cmd.contains("id") ? cmd["id"] : json(nullptr);
        g_current_id = id;
        try {
            if (!cmd.is_object() || !cmd.contains("cmd") || !cmd["cmd"].is_string()) throw std::runtime_error("a command needs a string 'cmd'");
            const std::string c = cmd["cmd"].get<std::string>();
            if (c == "shutdown") {
                emit({{"id", id}, {"event", "shutdown"}});
                trainer.reset();
                return 0;
            }
            if (c == "ping") {
                emit({{"id", id}, {"event", "pong"}, {"ready", (bool) trainer}});
                continue;
            }
            if (c == "init") {
                trainer.reset();
                trainer = std::make_unique<Trainer>(cmd);
                json r = trainer->ready_info();
                r["id"] = id;
                r["event"] = "ready";
                emit(r);
                continue;
            }
            if (!trainer) throw std::runtime_error("'" + c + "' before a successful 'init'");
            if (c == "logprobs") {
                if (!cmd.contains("sequences") || !cmd["sequences"].is_array()) throw std::runtime_error("'sequences' must be an array of token arrays");
                const auto seqs = cmd["sequences"].get<std::vector<std::vector<int32_t>>>();
                const bool adapter = cmd.value("adapter", true);
                emit({{"id", id}, {"event", "logprobs"}, {"logprobs", trainer->logprobs(seqs, adapter)}});
            } else if (c == "step") {
                emit({{"id", id}, {"event", "step"}, {"metrics", trainer->step(cmd)}});
            } else if (c == "sft") {
                emit({{"id", id}, {"event", "sft"}, {"metrics", trainer->sft(cmd)}});
            } else if (c == "loss") {
                json r = trainer->loss(cmd);
                r["id"] = id;
                r["event"] = "loss";
                emit(r);
            } else if (c == "gradcheck") {
                json r = trainer->gradcheck(cmd);
                r["id"] = id;
                r["event"] = "gradcheck";
                emit(r);
            } else if (c == "matmulPeak") {
                json r = trainer->matmul_peak(cmd);
                r["id"] = id;
                r["event"] = "matmulPeak";
                emit(r);
            } else if (c == "save") {
                json r = trainer->save(cmd);
                r["id"] = id;
                r["event"] = "saved";
                emit(r);
            } else {
                throw std::runtime_error("unknown command '" + c + "' (init, logprobs, step, sft, loss, save, gradcheck, matmulPeak, ping, shutdown)");
            }
        } catch (const std::exception & e) {
            emit_error(id, e.what());
        }
    }
    return 0;
}
