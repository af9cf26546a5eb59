#include "control/routes/bmp_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace tsunagi::routes {

namespace {

// The owner of the IPv4 TCP socket at local `ours` whose peer is `theirs` (ports and
// addresses as /proc/net/tcp prints them), from the kernel's socket table of this
// namespace; nothing when there is no such socket.
std::optional<uid_t> tcp_owner(const sockaddr_in& local, const sockaddr_in& remote)
{
	char want_local[32], want_remote[32];
	// The connecting socket: its local end is our peer, its remote end is us.
	std::snprintf(want_local, sizeof(want_local), "%08X:%04X", remote.sin_addr.s_addr,
	              ntohs(remote.sin_port));
	std::snprintf(want_remote, sizeof(want_remote), "%08X:%04X", local.sin_addr.s_addr,
	              ntohs(local.sin_port));
	std::FILE* f = std::fopen("/proc/net/tcp", "r");
	if (f == nullptr) {
		return std::nullopt;
	}
	char line[512];
	std::optional<uid_t> owner;
	while (std::fgets(line, sizeof(line), f) != nullptr) {
		char loc[64], rem[64];
		unsigned st = 0, uid = 0;
		if (std::sscanf(line, " %*d: %63s %63s %x %*s %*s %*s %u", loc, rem, &st, &uid) ==
		        4 &&
		    std::strcmp(loc, want_local) == 0 && std::strcmp(rem, want_remote) == 0) {
			owner = uid_t(uid);
			break;
		}
	}
	std::fclose(f);
	return owner;
}

}  // namespace

std::unique_ptr<BmpListener> BmpListener::open(const std::string& address, uint16_t port,
                                               std::string& err, std::optional<uid_t> peer_uid)
{
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) {
		err = "BMP listener: not an IPv4 address: " + address;
		return nullptr;
	}
	const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	const int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || listen(fd, 8) != 0) {
		err = "BMP listener on " + address + ":" + std::to_string(port) + ": " +
		      std::strerror(errno);
		if (fd >= 0) {
			close(fd);
		}
		return nullptr;
	}
	socklen_t len = sizeof(sa);
	getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
	auto l = std::unique_ptr<BmpListener>(new BmpListener);
	l->listen_fd_ = fd;
	l->port_ = ntohs(sa.sin_port);
	l->peer_uid_ = peer_uid;
	return l;
}

BmpListener::~BmpListener()
{
	for (auto& c : conns_) {
		close(c->fd);
	}
	if (listen_fd_ >= 0) {
		close(listen_fd_);
	}
}

void BmpListener::add_fds(std::vector<pollfd>& fds) const
{
	fds.push_back({listen_fd_, POLLIN, 0});
	for (const auto& c : conns_) {
		fds.push_back({c->fd, POLLIN, 0});
	}
}

bool BmpListener::read_conn(Conn& c, Batch& b)
{
	uint8_t buf[65536];
	for (int rounds = 0; rounds < 64; ++rounds) {  // then let the loop breathe
		const ssize_t n = read(c.fd, buf, sizeof(buf));
		if (n == 0) {
			b.log.push_back("BMP connection closed by bgpd");
			return false;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				return true;
			}
			b.log.push_back(std::string("BMP connection: ") + std::strerror(errno));
			return false;
		}
		c.stream.feed(buf, size_t(n));
		while (auto m = c.stream.next()) {
			++counters_.messages;
			Decoded d = decode_bmp(m->data(), m->size());
			switch (d.skip) {
				case Skip::none:
					break;
				case Skip::malformed:
					++counters_.malformed;
					b.log.push_back("BMP message refused: " + d.why);
					break;
				case Skip::lost:
					// What the peers sent since is unknown: start over on a new
					// connection, which marks everything stale and refreshes.
					++counters_.lost;
					b.log.push_back(d.why + "; reconnecting to resynchronise");
					return false;
				default:
					++counters_.skipped;
					break;
			}
			for (auto& e : d.events) {
				b.events.push_back(std::move(e));
			}
		}
		if (c.stream.broken()) {
			++counters_.broken;
			b.log.push_back("BMP stream out of step (not BMP version 3); closing it");
			return false;
		}
	}
	return true;
}

BmpListener::Batch BmpListener::service()
{
	Batch b;
	for (;;) {
		const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			break;
		}
		if (peer_uid_) {
			sockaddr_in local{}, remote{};
			socklen_t ll = sizeof(local), rl = sizeof(remote);
			getsockname(fd, reinterpret_cast<sockaddr*>(&local), &ll);
			getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &rl);
			const auto owner = tcp_owner(local, remote);
			if (owner != peer_uid_) {
				++counters_.refused;
				b.log.push_back(
				    "BMP connection refused: from " +
				    (owner ? "user " + std::to_string(*owner) : "no known socket") +
				    ", not bgpd's user " + std::to_string(*peer_uid_));
				close(fd);
				continue;
			}
		}
		++counters_.connections;
		b.connected = true;
		b.log.push_back("BMP connection from bgpd");
		conns_.push_back(std::make_unique<Conn>(Conn{fd, {}}));
	}
	for (size_t i = 0; i < conns_.size();) {
		if (read_conn(*conns_[i], b)) {
			++i;
		} else {
			close(conns_[i]->fd);
			conns_.erase(conns_.begin() + ptrdiff_t(i));
		}
	}
	return b;
}

}  // namespace tsunagi::routes
