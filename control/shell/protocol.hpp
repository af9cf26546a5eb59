// Between tsunagi-sh and tsunagid: one JSON object per line each way, over the Unix socket
// RUNTIME_DIR/shell.sock (docs/shell.md).
//   request:  {"op": "exec" | "help" | "complete" | "hello", "line": "..."}
//   response: {"ok": bool, "output": "...", "prompt": "...", "close": bool,
//              "candidates": [...] (complete only)}
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <string>

namespace tsunagi::shell {

inline constexpr const char* kSocketName = "shell.sock";
inline constexpr size_t kMaxRequest = 1 << 20;  // a `trace` frame in hex fits many times

inline std::string socket_path(const std::string& runtime_dir)
{
	return runtime_dir + "/" + kSocketName;
}

// The socket address of `path`; false (with `error`) when the path does not fit.
inline bool unix_address(const std::string& path, sockaddr_un& addr, std::string& error)
{
	addr = {};
	addr.sun_family = AF_UNIX;
	if (path.size() >= sizeof(addr.sun_path)) {
		error = "socket path too long: " + path;
		return false;
	}
	std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
	return true;
}

}  // namespace tsunagi::shell
