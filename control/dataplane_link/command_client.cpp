#include "control/dataplane_link/command_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/shm/unix_address.hpp"

namespace tsunagi::shm {

namespace {

// Sends `req` (and `body` after it in the same message) and takes the reply, and the
// descriptor passed with it (or -1). A reply whose status is not 0 is the caller's to read.
std::optional<CommandReply> ask(const std::string& runtime_dir, const CommandRequest& req,
                                const std::string& body, int timeout_ms, int& passed_fd,
                                std::string& error)
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
	std::string msg_bytes(reinterpret_cast<const char*>(&req), sizeof(req));
	msg_bytes += body;
	bool ok =
	    send(fd, msg_bytes.data(), msg_bytes.size(), MSG_NOSIGNAL) == ssize_t(msg_bytes.size());
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
	return reply;
}

// The reply's status as an error; closes what came with it.
bool refused(const CommandReply& r, int& fd, std::string& error)
{
	if (r.status == 0) {
		return false;
	}
	error = std::string("the dataplane refused: ") + std::strerror(r.status);
	if (fd >= 0) {
		close(fd);
		fd = -1;
	}
	return true;
}

// `bytes` from the start of the passed memfd, which is closed.
bool read_all(int& fd, void* out, size_t bytes, std::string& error)
{
	if (bytes == 0) {
		if (fd >= 0) {
			close(fd);
			fd = -1;
		}
		return true;
	}
	const bool ok = fd >= 0 && pread(fd, out, bytes, 0) == ssize_t(bytes);
	if (fd >= 0) {
		close(fd);
		fd = -1;
	}
	if (!ok) {
		error = "the dataplane's reply is short";
	}
	return ok;
}

}  // namespace

std::optional<MacDump> dump_macs(const std::string& runtime_dir, uint32_t tenant,
                                 std::string& error)
{
	int fd = -1;
	const auto r =
	    ask(runtime_dir, {kCommandMagic, Command::dump_macs, tenant, 0}, "", 5000, fd, error);
	if (!r || refused(*r, fd, error)) {
		return std::nullopt;
	}
	MacDump d;
	d.now_s = r->now_s;
	d.workers = r->workers;
	d.records.resize(r->count);
	if (!read_all(fd, d.records.data(), r->count * sizeof(MacRecord), error)) {
		return std::nullopt;
	}
	return d;
}

std::optional<uint64_t> clear_macs(const std::string& runtime_dir, uint32_t tenant,
                                   std::string& error)
{
	int fd = -1;
	const auto r =
	    ask(runtime_dir, {kCommandMagic, Command::clear_macs, tenant, 0}, "", 8000, fd, error);
	if (!r || refused(*r, fd, error)) {
		return std::nullopt;
	}
	if (fd >= 0) {
		close(fd);
	}
	return r->count;
}

std::optional<std::string> trace(const std::string& runtime_dir, uint16_t port,
                                 const std::string& frame, std::string& error)
{
	if (frame.empty() || frame.size() > kMaxTraceFrame) {
		error = "a frame is 1 to " + std::to_string(kMaxTraceFrame) + " bytes";
		return std::nullopt;
	}
	TraceRequest tr;
	tr.port = port;
	tr.len = uint32_t(frame.size());
	std::string body(reinterpret_cast<const char*>(&tr), sizeof(tr));
	body += frame;
	int fd = -1;
	const auto r =
	    ask(runtime_dir, {kCommandMagic, Command::trace, 0, 0}, body, 5000, fd, error);
	if (!r) {
		return std::nullopt;
	}
	std::string text(r->count, '\0');
	if (r->status == ENOENT) {  // the reason the frame could not be traced
		if (read_all(fd, text.data(), text.size(), error)) {
			error = text;
		}
		return std::nullopt;
	}
	if (refused(*r, fd, error) || !read_all(fd, text.data(), text.size(), error)) {
		return std::nullopt;
	}
	return text;
}

}  // namespace tsunagi::shm
