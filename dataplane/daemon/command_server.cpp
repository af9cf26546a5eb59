#include "dataplane/daemon/command_server.hpp"

#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "common/shm/command_channel.hpp"
#include "common/shm/unix_address.hpp"

namespace tsunagi::dp {

namespace {

uint64_t monotonic_ns()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

}  // namespace

struct CommandReplyFd {
	shm::CommandReply reply;
	int fd = -1;  // passed along with the reply when >= 0
};

std::unique_ptr<CommandServer> CommandServer::open(const std::string& runtime_dir,
                                                   std::optional<gid_t> group, size_t workers,
                                                   MacTable& macs, TraceRunner& tracer,
                                                   std::string& error)
{
	const std::string path = shm::command_socket_path(runtime_dir);
	const int fd = shm::listen_unix(path, SOCK_SEQPACKET, error, group);
	if (fd < 0) {
		error = "command socket " + error;
		return nullptr;
	}
	return std::unique_ptr<CommandServer>(new CommandServer(fd, path, workers, macs, tracer));
}

CommandServer::CommandServer(int fd, std::string path, size_t workers, MacTable& macs,
                             TraceRunner& tracer)
    : fd_(fd), path_(std::move(path)), workers_(workers), macs_(macs), tracer_(tracer)
{
}

CommandServer::~CommandServer()
{
	for (const auto& w : waiting_) {
		close(w.fd);
	}
	for (const auto& c : clearing_) {
		close(c.fd);
	}
	close(fd_);
	unlink(path_.c_str());
}

void CommandServer::reply(int fd, const CommandReplyFd& r)
{
	msghdr msg{};
	iovec iov{const_cast<shm::CommandReply*>(&r.reply), sizeof(r.reply)};
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
	if (r.fd >= 0) {
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		cmsghdr* c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		std::memcpy(CMSG_DATA(c), &r.fd, sizeof(int));
	}
	// One small message on an idle socket: it fits the buffer, or the client is gone.
	sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (r.fd >= 0) {
		close(r.fd);
	}
	close(fd);
}

void CommandServer::answer(int fd)
{
	static char
	    buf[sizeof(shm::CommandRequest) + sizeof(shm::TraceRequest) + shm::kMaxTraceFrame];
	const ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	shm::CommandRequest req;
	std::memcpy(&req, buf, std::min(sizeof(req), size_t(std::max<ssize_t>(n, 0))));
	CommandReplyFd out;
	out.reply.workers = uint32_t(workers_);
	out.reply.now_s = uint32_t(monotonic_ns() / 1'000'000'000ull);
	if (n < ssize_t(sizeof(req)) || size_t(n) > sizeof(buf) ||
	    req.magic != shm::kCommandMagic) {
		++bad_requests_;
		out.reply.status = EPROTO;
		reply(fd, out);
		return;
	}
	if (req.command == shm::Command::clear_macs) {
		// Done over the next services, after any clear asked before.
		clearing_.push_back({fd, req.tenant, 0, 0});
		return;
	}
	if (req.command == shm::Command::trace) {
		shm::TraceRequest tr;
		const size_t head = sizeof(req) + sizeof(tr);
		if (size_t(n) < head) {
			++bad_requests_;
			out.reply.status = EPROTO;
			reply(fd, out);
			return;
		}
		std::memcpy(&tr, buf + sizeof(req), sizeof(tr));
		std::string error;
		std::string json;
		if (tr.len != size_t(n) - head || tr.len == 0) {
			out.reply.status = EINVAL;
		} else if (json = tracer_.run(tr.port, reinterpret_cast<uint8_t*>(buf + head),
		                              tr.len, error);
		           json.empty()) {
			// The reason instead of JSON, with the status saying which it is.
			json = error;
			out.reply.status = ENOENT;
		}
		// In a memfd: a flood's copies of a jumbo frame would not fit one message.
		out.reply.count = json.size();
		send_in_memfd(fd, out, json.data(), json.size());
		return;
	}
	if (req.command != shm::Command::dump_macs) {
		++bad_requests_;
		out.reply.status = EINVAL;
		reply(fd, out);
		return;
	}
	// One table for every worker: one record per MAC.
	std::vector<shm::MacRecord> records;
	for (size_t i = 0; i < macs_.capacity(); ++i) {
		MacTable::Entry e;
		if (MacTable::snapshot(macs_.slots()[i], e) &&
		    (req.tenant == MacTable::kAllTenants || (e.key >> 48) == req.tenant)) {
			records.push_back({e.key, e.member, e.seen, 0, 0});
		}
	}
	out.reply.count = records.size();
	send_in_memfd(fd, out, records.data(), records.size() * sizeof(shm::MacRecord));
}

void CommandServer::send_in_memfd(int fd, CommandReplyFd& out, const void* data, size_t bytes)
{
	const int mfd = memfd_create("tsunagi-reply", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, off_t(bytes)) != 0 ||
	    (bytes != 0 && pwrite(mfd, data, bytes, 0) != ssize_t(bytes))) {
		out.reply.status = errno != 0 ? errno : EIO;
		out.reply.count = 0;
		if (mfd >= 0) {
			close(mfd);
		}
	} else {
		out.fd = mfd;
	}
	reply(fd, out);
}

void CommandServer::service()
{
	// The control thread never waits on a client: connections wait here, a few at most,
	// until their request is in (it follows the connect at once) or they are dropped.
	const uint64_t now = monotonic_ns();
	while (waiting_.size() < kMaxWaiting) {
		const int fd = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			break;
		}
		waiting_.push_back({fd, now + 500'000'000ull});
	}
	for (size_t i = 0; i < waiting_.size();) {
		pollfd p{waiting_[i].fd, POLLIN, 0};
		if (poll(&p, 1, 0) == 1) {
			answer(waiting_[i].fd);
		} else if (now > waiting_[i].deadline_ns) {
			++bad_requests_;
			close(waiting_[i].fd);
		} else {
			++i;
			continue;
		}
		waiting_.erase(waiting_.begin() + ptrdiff_t(i));
	}
	if (clearing_.empty()) {
		return;
	}
	Clearing& c = clearing_.front();
	c.removed += macs_.clear_step(c.cursor, kClearSlots, c.tenant);
	if (c.cursor < macs_.capacity()) {
		return;
	}
	CommandReplyFd out;
	out.reply.workers = uint32_t(workers_);
	out.reply.count = c.removed;
	reply(c.fd, out);
	clearing_.erase(clearing_.begin());
}

}  // namespace tsunagi::dp
