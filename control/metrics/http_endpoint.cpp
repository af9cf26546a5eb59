#include "control/metrics/http_endpoint.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace tsunagi::metrics {

namespace {

// The content type of the text exposition format, as Prometheus asks for it.
constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

std::optional<uint16_t> parse_port(std::string_view s)
{
	unsigned v = 0;
	const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
	if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || v > 65535) {
		return std::nullopt;
	}
	return uint16_t(v);
}

MHD_Result reply(MHD_Connection* c, unsigned status, const std::string& body, const char* type,
                 const char* allow = nullptr)
{
	MHD_Response* r = MHD_create_response_from_buffer(
	    body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
	if (r == nullptr) {
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow != nullptr) {
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	}
	const MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

}  // namespace

std::optional<ListenAddress> parse_listen_address(const std::string& s, std::string& error,
                                                  const std::string& what)
{
	error.clear();
	if (s == "none") {
		return std::nullopt;
	}
	const auto bad = [&](const std::string& why) {
		error = what + " " + s + ": " + why + " (expected HOST:PORT, [IPV6]:PORT or none)";
		return std::nullopt;
	};
	std::string host;
	std::string_view port;
	if (!s.empty() && s.front() == '[') {
		const size_t close = s.find(']');
		if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':') {
			return bad("an IPv6 address in brackets must be followed by :PORT");
		}
		host = s.substr(1, close - 1);
		port = std::string_view(s).substr(close + 2);
	} else {
		const size_t colon = s.rfind(':');
		if (colon == std::string::npos) {
			return bad("no port");
		}
		host = s.substr(0, colon);
		port = std::string_view(s).substr(colon + 1);
		if (host.find(':') != std::string::npos) {
			return bad("an IPv6 address needs brackets");
		}
	}
	const auto p = parse_port(port);
	if (!p || *p == 0) {
		return bad("the port is not a number from 1 to 65535");
	}
	ListenAddress a;
	a.text = s;
	if (auto* v4 = reinterpret_cast<sockaddr_in*>(&a.addr);
	    inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(*p);
		a.len = sizeof(sockaddr_in);
		return a;
	}
	if (auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.addr);
	    inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(*p);
		a.len = sizeof(sockaddr_in6);
		return a;
	}
	return bad("'" + host + "' is not an IPv4 or IPv6 address");
}

std::unique_ptr<HttpEndpoint> HttpEndpoint::open(const ListenAddress& where, Render render,
                                                 std::string& error)
{
	// The socket is ours, so a failure names its cause; MHD only says it could not start.
	const int fd = socket(where.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		error = "metrics: socket: " + std::string(std::strerror(errno));
		return nullptr;
	}
	const int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (where.addr.ss_family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	if (bind(fd, reinterpret_cast<const sockaddr*>(&where.addr), where.len) != 0 ||
	    listen(fd, 16) != 0) {
		error = "metrics: cannot listen on " + where.text + ": " + std::strerror(errno);
		close(fd);
		return nullptr;
	}
	std::unique_ptr<HttpEndpoint> e(new HttpEndpoint(std::move(render), fd));
	const unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	                       (where.addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	e->mhd_ = MHD_start_daemon(flags, 0, nullptr, nullptr, &HttpEndpoint::answer, e.get(),
	                           MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
	                           MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_END);
	if (e->mhd_ == nullptr) {
		error = "metrics: cannot start the HTTP server on " + where.text;
		return nullptr;
	}
	return e;
}

HttpEndpoint::HttpEndpoint(Render render, int listen_fd)
    : render_(std::move(render)), listen_fd_(listen_fd)
{
}

HttpEndpoint::~HttpEndpoint()
{
	if (mhd_ != nullptr) {
		MHD_stop_daemon(mhd_);
	}
	close(listen_fd_);
}

int HttpEndpoint::fd() const
{
	const MHD_DaemonInfo* i = MHD_get_daemon_info(mhd_, MHD_DAEMON_INFO_EPOLL_FD);
	return i != nullptr ? i->epoll_fd : -1;
}

void HttpEndpoint::serve()
{
	MHD_run(mhd_);
}

uint16_t HttpEndpoint::port() const
{
	sockaddr_storage a{};
	socklen_t len = sizeof(a);
	if (getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
		return 0;
	}
	return ntohs(a.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&a)->sin6_port
	                                     : reinterpret_cast<sockaddr_in*>(&a)->sin_port);
}

MHD_Result HttpEndpoint::answer(void* self, MHD_Connection* c, const char* url, const char* method,
                                const char*, const char*, size_t* upload_size, void** state)
{
	// MHD calls once with the headers, then per chunk of a body, then once more. A bad
	// request is refused at once (no body is read); a good one is answered on the last
	// call.
	const std::string_view m(method);
	const std::string_view path(url);
	const char* text = "text/plain; charset=utf-8";
	if (path != "/metrics") {
		return reply(c, MHD_HTTP_NOT_FOUND, "not found: Tsunagi serves /metrics\n", text);
	}
	if (m != MHD_HTTP_METHOD_GET && m != MHD_HTTP_METHOD_HEAD) {
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", text,
		             "GET, HEAD");
	}
	if (*state == nullptr) {
		*state = c;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	return reply(c, MHD_HTTP_OK, static_cast<HttpEndpoint*>(self)->render_(), kContentType);
}

}  // namespace tsunagi::metrics
