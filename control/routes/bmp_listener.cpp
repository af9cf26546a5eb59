#include "control/routes/bmp_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tsunagi::routes {

std::unique_ptr<BmpListener> BmpListener::open(const std::string& address, uint16_t port,
                                               std::string& err)
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
