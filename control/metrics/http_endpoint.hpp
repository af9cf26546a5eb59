// tsunagid's HTTP listener for Prometheus: GET /metrics, served by libmicrohttpd from the
// daemon's own poll() loop. No thread of its own: MHD runs in external mode with one epoll
// descriptor the loop polls, so what it serves is read without locks.
#pragma once

#include <microhttpd.h>
#include <poll.h>
#include <sys/socket.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tsunagi::metrics {

// Where to listen: an IPv4 or IPv6 address and a port.
struct ListenAddress {
	sockaddr_storage addr{};
	socklen_t len = 0;
	std::string text;  // as given, for messages
};

// Parses --metrics-address (or the YAML's node.metrics; `what` names which in errors):
// "HOST:PORT" or "[IPV6]:PORT" with a numeric host. nullopt with `error` set when it is not
// one; "none" gives nullopt with `error` empty (no listener).
std::optional<ListenAddress> parse_listen_address(const std::string& s, std::string& error,
                                                  const std::string& what = "--metrics-address");

class HttpEndpoint {
public:
	using Render = std::function<std::string()>;

	// Binds and listens; nullptr with `error` set when it cannot (address in use, …).
	// `render` makes a scrape's body, called only when a request for /metrics comes.
	static std::unique_ptr<HttpEndpoint> open(const ListenAddress& where, Render render,
	                                          std::string& error);
	~HttpEndpoint();
	HttpEndpoint(const HttpEndpoint&) = delete;
	HttpEndpoint& operator=(const HttpEndpoint&) = delete;

	// The descriptor to poll for input: MHD's epoll set.
	int fd() const;
	void add_fds(std::vector<pollfd>& fds) const { fds.push_back({fd(), POLLIN, 0}); }
	// Accepts, reads and answers what is ready, without blocking; call it on each pass
	// of the loop (MHD also times idle connections out here).
	void serve();

	// The port it listens on (the one given, or the kernel's choice for port 0).
	uint16_t port() const;

private:
	HttpEndpoint(Render render, int listen_fd);
	static MHD_Result answer(void* self, MHD_Connection* c, const char* url, const char* method,
	                         const char* version, const char* upload, size_t* upload_size,
	                         void** state);

	Render render_;
	int listen_fd_;
	MHD_Daemon* mhd_ = nullptr;
};

}  // namespace tsunagi::metrics
