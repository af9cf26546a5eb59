// The node's runtime directory (DESIGN.md §5): the one place both daemons keep their
// sockets, locks and state. A daemon runs as root, so it must only ever change what it
// made itself: it creates the directory when there is none, and uses an existing one as it
// is, or refuses it when someone else could replace what it keeps there.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace tsunagi::cli {

struct RuntimeDir {
	bool created = false;  // this call made it (with the mode and group asked for)
	std::string warning;   // set when an existing directory keeps out whom it should not
};

// Creates `dir` (and missing parents, as mkdir -p does) with `mode` and, when given,
// `group`, or checks the existing one: a directory (not a link to one), writable by no
// other user, owned by this process's user or root, or by `shared_group` when the node
// shares with a group. `reach` is what others need of an existing directory: S_IXGRP
// (`group` reaches the sockets; without it the result carries a warning) or S_IXOTH
// (every user passes through, as FRR's daemons must; without it, refused). An existing
// directory is never changed. nullopt with `error` when refused.
std::optional<RuntimeDir> prepare_runtime_dir(const std::string& dir, mode_t mode,
                                              std::optional<gid_t> group,
                                              std::optional<gid_t> shared_group, mode_t reach,
                                              std::string& error);

// One daemon of a kind per runtime directory: an exclusive lock on DIR/NAME.pid held for
// the daemon's life. The kernel drops it when the daemon dies however it dies, so a
// restart after SIGKILL finds it free; the file keeps the holder's PID for the refusal.
class RuntimeLock {
public:
	// nullopt with `error` naming the holder when another process has it.
	static std::optional<RuntimeLock> acquire(const std::string& dir, const std::string& name,
	                                          std::string& error);

	RuntimeLock(RuntimeLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
	RuntimeLock& operator=(RuntimeLock&&) = delete;
	~RuntimeLock();

private:
	explicit RuntimeLock(int fd) : fd_(fd) {}
	int fd_;
};

}  // namespace tsunagi::cli
