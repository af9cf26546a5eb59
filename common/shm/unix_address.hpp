// The address of a Unix socket of the node's runtime directory (the shell's, the
// dataplane's command socket).
#pragma once

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>

#include <cstring>
#include <optional>
#include <string>

namespace tsunagi::shm {

// False (with `error`) when `path` does not fit sun_path.
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

// A non-blocking listening socket of `type` at `path`, mode 0600 from the moment it exists
// (bound under umask 0177); -1 with `error`. Whatever was at `path` is removed first: only a
// process of this node writes its runtime directory, so that is a dead one's socket.
// Binds and listens at `path`, mode 0600 from the moment it exists; with a group, the
// socket is given to the group before it is made 0660, so it is never open wider than
// meant.
inline int listen_unix(const std::string& path, int type, std::string& error,
                       std::optional<gid_t> group = std::nullopt)
{
	sockaddr_un addr{};
	if (!unix_address(path, addr, error)) {
		return -1;
	}
	const int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		error = path + ": " + std::strerror(errno);
		return -1;
	}
	unlink(path.c_str());
	const mode_t old = umask(0177);
	const int rc = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
	umask(old);
	if (rc != 0) {
		error = path + ": " + std::strerror(errno);
		close(fd);
		return -1;
	}
	if (group &&
	    (chown(path.c_str(), uid_t(-1), *group) != 0 || chmod(path.c_str(), 0660) != 0)) {
		error = path + ": cannot give it to the group: " + std::strerror(errno);
		close(fd);
		unlink(path.c_str());
		return -1;
	}
	if (listen(fd, 16) != 0) {
		error = path + ": " + std::strerror(errno);
		close(fd);
		return -1;
	}
	return fd;
}

}  // namespace tsunagi::shm
