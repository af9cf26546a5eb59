#include "control/shell/server.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "control/shell/protocol.hpp"

namespace tsunagi::shell {

struct Server::Connection {
	int fd = -1;
	std::string in, out;
	Session session;
	bool closing = false;    // close once `out` is written
	bool peer_done = false;  // the peer closed its side (or failed)
	bool dead = false;
};

std::unique_ptr<Server> Server::open(const std::string& path, std::optional<gid_t> group,
                                     Shell& shell, std::string& error)
{
	// 0660 even without a group: the socket is then the daemon's own group's.
	const int fd = shm::listen_unix(path, SOCK_STREAM, error, group ? group : getgid());
	if (fd < 0) {
		error = "shell socket " + error;
		return nullptr;
	}
	return std::unique_ptr<Server>(new Server(fd, path, shell));
}

Server::Server(int fd, std::string path, Shell& shell)
    : fd_(fd), path_(std::move(path)), shell_(shell)
{
}

Server::~Server()
{
	for (auto& c : connections_) {
		close(c->fd);
	}
	close(fd_);
	unlink(path_.c_str());
}

void Server::add_fds(std::vector<pollfd>& fds) const
{
	if (connections_.size() < kMaxSessions) {
		fds.push_back({fd_, POLLIN, 0});
	}
	for (const auto& c : connections_) {
		// Read only from a session whose answer is out.
		fds.push_back({c->fd, short(c->out.empty() ? POLLIN : POLLOUT), 0});
	}
}

void Server::accept_all()
{
	while (connections_.size() < kMaxSessions) {
		const int fd = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			return;
		}
		auto c = std::make_unique<Connection>();
		c->fd = fd;
		ucred cred{};
		socklen_t len = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
			const passwd* pw = getpwuid(cred.uid);
			c->session.user =
			    pw != nullptr ? pw->pw_name : "uid " + std::to_string(cred.uid);
		}
		++counters_.sessions;
		connections_.push_back(std::move(c));
	}
}

void Server::handle(Connection& c, const std::string& request)
{
	try {
		answer(c, request);
	} catch (const std::exception& e) {
		// A command's bug (or a bad answer from the dataplane or FRR) ends that
		// command, not the daemon.
		++counters_.bad_requests;
		c.out += nlohmann::json(
		             {{"ok", false},
		              {"output", std::string("% Internal error: ") + e.what() + "\n"}})
		             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
		         "\n";
	}
}

void Server::answer(Connection& c, const std::string& request)
{
	++counters_.requests;
	nlohmann::json reply;
	const auto req = nlohmann::json::parse(request, nullptr, false);
	const bool valid = req.is_object() && req.contains("op") && req["op"].is_string() &&
	                   (!req.contains("line") || req["line"].is_string());
	const std::string op = valid ? req["op"].get<std::string>() : "";
	const std::string line =
	    valid && req.contains("line") ? req["line"].get<std::string>() : "";
	if (op == "exec") {
		const Reply r = shell_.exec(c.session, line);
		reply = {{"ok", r.ok}, {"output", r.output}, {"close", r.close}};
		c.closing = r.close;
	} else if (op == "help") {
		const Reply r = shell_.help(c.session, line);
		reply = {{"ok", r.ok}, {"output", r.output}};
	} else if (op == "complete") {
		reply = {{"ok", true}, {"candidates", shell_.complete(c.session, line)}};
	} else if (op == "hello") {
		reply = {{"ok", true}, {"output", ""}};
	} else {
		++counters_.bad_requests;
		reply = {{"ok", false},
		         {"output",
		          "% Bad request: expected {\"op\": \"exec\"|\"help\"|\"complete\", "
		          "\"line\": \"...\"}\n"}};
	}
	reply["prompt"] = shell_.prompt(c.session);
	// Command output is the operator's bytes (YAML, FRR's text); never let an invalid
	// UTF-8 sequence make the reply unwritable.
	c.out += reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void Server::broadcast(const std::string& notice)
{
	const std::string line =
	    nlohmann::json({{"notice", notice}})
	        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
	    "\n";
	for (auto& c : connections_) {
		if (!c->closing) {
			c->out += line;
		}
	}
}

void Server::flush(Connection& c)
{
	while (!c.out.empty()) {
		const ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
				return;
			}
			c.dead = true;
			return;
		}
		c.out.erase(0, size_t(n));
	}
	if (c.closing) {
		c.dead = true;
	}
}

void Server::service()
{
	accept_all();
	for (auto& cp : connections_) {
		Connection& c = *cp;
		// A client that does not read its answers is not read either: what it may cost
		// the daemon is one answer, and one request of at most kMaxRequest.
		char buf[16384];
		while (c.out.empty() && !c.peer_done && c.in.size() <= kMaxRequest) {
			const ssize_t n = recv(c.fd, buf, sizeof(buf), 0);
			if (n > 0) {
				c.in.append(buf, size_t(n));
				continue;
			}
			if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				c.peer_done = true;  // its requests still get their answers
			}
			break;
		}
		// Requests sent together are answered together while the answers drain, a few
		// per pass, so one session never holds the loop for long.
		size_t nl;
		for (int k = 0; k < 8 && c.out.empty() && !c.closing &&
		                (nl = c.in.find('\n')) != std::string::npos;
		     ++k) {
			const std::string request = c.in.substr(0, nl);
			c.in.erase(0, nl + 1);
			handle(c, request);
			flush(c);
		}
		if (c.in.size() > kMaxRequest) {
			++counters_.bad_requests;
			c.out += nlohmann::json({{"ok", false},
			                         {"output", "% Request too long\n"},
			                         {"close", true}})
			             .dump() +
			         "\n";
			c.in.clear();
			c.closing = true;
		}
		flush(c);
		// Done when the peer has closed and everything it asked is answered.
		if (c.peer_done && c.out.empty() && c.in.find('\n') == std::string::npos) {
			c.dead = true;
		}
	}
	connections_.erase(std::remove_if(connections_.begin(), connections_.end(),
	                                  [](const auto& c) {
		                                  if (c->dead) {
			                                  close(c->fd);
		                                  }
		                                  return c->dead;
	                                  }),
	                   connections_.end());
}

}  // namespace tsunagi::shell
