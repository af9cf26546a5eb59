// The dataplane's end of its command socket (common/shm/command_channel.hpp), served
// from the control thread's loop; never from a worker, never blocking.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/daemon/trace_runner.hpp"
#include "dataplane/daemon/worker.hpp"

namespace tsunagi::dp {

struct CommandReplyFd;

class CommandServer {
public:
	// Listens on RUNTIME_DIR/dataplane.sock, mode 0600: only tsunagid's user may ask; with
	// node.group, mode 0660 for that group (tsunagid running as another user of it).
	// `macs`: the node's MAC table, which `workers` workers share.
	static std::unique_ptr<CommandServer> open(const std::string& runtime_dir,
	                                           std::optional<gid_t> group, size_t workers,
	                                           MacTable& macs, TraceRunner& tracer,
	                                           std::string& error);
	~CommandServer();

	void service();

	uint64_t bad_requests() const { return bad_requests_; }

private:
	CommandServer(int fd, std::string path, size_t workers, MacTable& macs,
	              TraceRunner& tracer);
	void answer(int fd);
	void reply(int fd, const CommandReplyFd& r);
	// Replies with `bytes` of `data` in a memfd passed along.
	void send_in_memfd(int fd, CommandReplyFd& out, const void* data, size_t bytes);

	int fd_;
	std::string path_;
	size_t workers_;
	MacTable& macs_;
	TraceRunner& tracer_;
	// A clear: who asked, for which tenant, how far through the table, what it removed.
	struct Clearing {
		int fd;
		uint32_t tenant;
		size_t cursor;
		uint64_t removed;
	};
	// A slice of the table per service (about 50 us under the table's lock), so a worker
	// that learns meanwhile never waits long; the whole table in a few hundred ms.
	static constexpr size_t kClearSlots = 16384;
	std::vector<Clearing> clearing_;  // the first is in progress, the rest wait
	struct Waiting {
		int fd;
		uint64_t deadline_ns;
	};
	static constexpr size_t kMaxWaiting = 8;
	std::vector<Waiting> waiting_;  // accepted, their request not in yet
	uint64_t bad_requests_ = 0;
};

}  // namespace tsunagi::dp
