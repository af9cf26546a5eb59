#include "dataplane/shm/command_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dataplane/shm/unix_address.hpp"

namespace tsunagi::shm {

namespace {

// Sends `req` and takes the reply, and the descriptor passed with it (or -1).
std::optional<CommandReply> ask(const std::string& runtime_dir, const CommandRequest& req,
                                int timeout_ms, int& passed_fd, std::string& error)
{
	passed_fd = -1;
	sockaddr_un addr{};
	const std::string path = command_socket_path(runtime_dir);
	if (!unix_address(path, addr, error)) {
		return std::nullopt;
	}
	const int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
		error = "the dataplane is not running (" + path + ": " + std::strerror(errno) + ")";
		if (fd >= 0) {
			close(fd);
		}
		return std::nullopt;
	}
	CommandReply reply;
	bool ok = send(fd, &req, sizeof(req), MSG_NOSIGNAL) == ssize_t(sizeof(req));
	pollfd p{fd, POLLIN, 0};
	ok = ok && poll(&p, 1, timeout_ms) == 1;
	if (ok) {
		msghdr msg{};
		iovec iov{&reply, sizeof(reply)};
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		ok = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC) == ssize_t(sizeof(reply)) &&
		     reply.magic == kCommandMagic;
		for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				std::memcpy(&passed_fd, CMSG_DATA(c), sizeof(int));
			}
		}
	}
	close(fd);
	if (!ok) {
		error = "the dataplane did not answer";
		if (passed_fd >= 0) {
			close(passed_fd);
			passed_fd = -1;
		}
		return std::nullopt;
	}
	if (reply.status != 0) {
		error = std::string("the dataplane refused: ") + std::strerror(reply.status);
		if (passed_fd >= 0) {
			close(passed_fd);
			passed_fd = -1;
		}
		return std::nullopt;
	}
	return reply;
}

}  // namespace

std::optional<MacDump> dump_macs(const std::string& runtime_dir, uint32_t tenant,
                                 std::string& error)
{
	int fd = -1;
	const auto r =
	    ask(runtime_dir, {kCommandMagic, Command::dump_macs, tenant, 0}, 5000, fd, error);
	if (!r) {
		return std::nullopt;
	}
	MacDump d;
	d.now_s = r->now_s;
	d.workers = r->workers;
	if (r->count != 0) {
		if (fd < 0) {
			error = "the dataplane sent no entries";
			return std::nullopt;
		}
		d.records.resize(r->count);
		const size_t bytes = r->count * sizeof(MacRecord);
		const bool ok = pread(fd, d.records.data(), bytes, 0) == ssize_t(bytes);
		close(fd);
		if (!ok) {
			error = "the dataplane's entries are short";
			return std::nullopt;
		}
	} else if (fd >= 0) {
		close(fd);
	}
	return d;
}

std::optional<uint64_t> clear_macs(const std::string& runtime_dir, uint32_t tenant,
                                   std::string& error)
{
	int fd = -1;
	const auto r =
	    ask(runtime_dir, {kCommandMagic, Command::clear_macs, tenant, 0}, 8000, fd, error);
	if (fd >= 0) {
		close(fd);
	}
	if (!r) {
		return std::nullopt;
	}
	return r->count;
}

}  // namespace tsunagi::shm
