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
	static std::unique_ptr<CommandServer> open(
	    const std::string& runtime_dir, std::optional<gid_t> group,
	    const std::vector<std::unique_ptr<Worker>>& workers, TraceRunner& tracer,
	    std::string& error);
	~CommandServer();

	void service();

	uint64_t bad_requests() const { return bad_requests_; }

private:
	CommandServer(int fd, std::string path, const std::vector<std::unique_ptr<Worker>>& workers,
	              TraceRunner& tracer);
	void answer(int fd);
	void reply(int fd, const CommandReplyFd& r);
	// Replies with `bytes` of `data` in a memfd passed along.
	void send_in_memfd(int fd, CommandReplyFd& out, const void* data, size_t bytes);

	int fd_;
	std::string path_;
	const std::vector<std::unique_ptr<Worker>>& workers_;
	TraceRunner& tracer_;
	// A clear the workers are doing: who asked, what each worker's request number is,
	// and what they had cleared before.
	struct Clearing {
		int fd;
		uint32_t tenant;
		std::vector<uint64_t> requests;  // empty while it waits
		uint64_t cleared_before;
		uint64_t deadline_ns;
	};
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
