// The TCP end of the route feed: bgpd connects to tsunagid (its `bmp connect`) and streams
// BMP. Non-blocking, polled from the daemon's loop; a connection whose stream cannot be
// followed is closed, and bgpd connects again.
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control/routes/bmp.hpp"

namespace tsunagi::routes {

struct FeedCounters {
	uint64_t connections = 0;
	uint64_t messages = 0;
	uint64_t malformed = 0;  // messages refused (Decoded::why logged)
	uint64_t skipped = 0;    // messages or families the feed has no use for
	uint64_t lost = 0;       // times bgpd reported mirrored messages lost
	uint64_t broken = 0;     // connections closed because the stream was out of step
	uint64_t refused = 0;    // connections from a user other than bgpd's
};

class BmpListener {
public:
	// Listens on `address`:`port` (port 0: any free port, see port()). With `peer_uid`,
	// only connections from sockets of that user (bgpd's, user frr) are taken: anyone on
	// the machine can reach the loopback, and what arrives here becomes routes.
	static std::unique_ptr<BmpListener> open(const std::string& address, uint16_t port,
	                                         std::string& err,
	                                         std::optional<uid_t> peer_uid = std::nullopt);
	~BmpListener();

	uint16_t port() const { return port_; }
	// The descriptors to poll for input.
	void add_fds(std::vector<pollfd>& fds) const;

	struct Batch {
		std::vector<Event> events;
		bool connected = false;  // a new connection: what came before may be stale
		std::vector<std::string> log;
	};
	// Accepts and reads whatever is ready, without blocking.
	Batch service();

	const FeedCounters& counters() const { return counters_; }
	size_t connections() const { return conns_.size(); }

private:
	struct Conn {
		int fd;
		BmpStream stream;
	};
	int listen_fd_ = -1;
	uint16_t port_ = 0;
	std::optional<uid_t> peer_uid_;
	std::vector<std::unique_ptr<Conn>> conns_;
	FeedCounters counters_;

	bool read_conn(Conn& c, Batch& b);  // false: close it
};

}  // namespace tsunagi::routes
