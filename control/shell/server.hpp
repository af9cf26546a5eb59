// The shell's socket in tsunagid: sessions of tsunagi-sh, served from the daemon's own
// loop without blocking it on a slow client (docs/shell.md).
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control/shell/shell.hpp"

namespace tsunagi::shell {

struct ServerCounters {
	uint64_t sessions = 0;
	uint64_t requests = 0;
	uint64_t bad_requests = 0;  // not JSON, no known op, or longer than kMaxRequest
};

class Server {
public:
	// Listens on `path` (replacing a stale socket) with mode 0660, owned by `group` when
	// given, so its members may connect.
	static std::unique_ptr<Server> open(const std::string& path, std::optional<gid_t> group,
	                                    Shell& shell, std::string& error);
	~Server();

	void add_fds(std::vector<pollfd>& fds) const;
	// Accepts, reads and answers whatever is ready; never blocks.
	void service();
	// Tells every session something that happened without its asking (an unconfirmed
	// reload rolled back): a {"notice": ...} line that tsunagi-sh prints when it comes.
	void broadcast(const std::string& notice);

	const ServerCounters& counters() const { return counters_; }
	const std::string& path() const { return path_; }

private:
	Server(int fd, std::string path, Shell& shell);
	struct Connection;
	void accept_all();
	void handle(Connection& c, const std::string& request);
	void answer(Connection& c, const std::string& request);
	static constexpr size_t kMaxSessions = 32;
	void flush(Connection& c);

	int fd_;
	std::string path_;
	Shell& shell_;
	std::vector<std::unique_ptr<Connection>> connections_;
	ServerCounters counters_;
};

}  // namespace tsunagi::shell
