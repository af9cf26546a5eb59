// Between tsunagi-sh and tsunagid: one JSON object per line each way, over the Unix socket
// RUNTIME_DIR/shell.sock (docs/shell.md).
//   request:  {"op": "exec" | "help" | "complete" | "hello", "line": "..."}
//   response: {"ok": bool, "output": "...", "prompt": "...", "close": bool,
//              "candidates": [...] (complete only)}
//   notice:   {"notice": "..."}: something the session did not ask about (a reload that
//             was not confirmed in time was rolled back), sent between responses
#pragma once

#include <string>

#include "common/shm/unix_address.hpp"

namespace tsunagi::shell {

inline constexpr const char* kSocketName = "shell.sock";
inline constexpr size_t kMaxRequest = 1 << 20;  // a `trace` frame in hex fits many times

inline std::string socket_path(const std::string& runtime_dir)
{
	return runtime_dir + "/" + kSocketName;
}

using shm::unix_address;

}  // namespace tsunagi::shell
