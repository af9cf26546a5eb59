// tsunagi-sh: the operator's shell (DESIGN.md §6, docs/shell.md). A thin client: every line,
// `?` and Tab go to tsunagid over RUNTIME_DIR/shell.sock, which parses and answers them;
// this program only edits lines (GNU readline, as vtysh does), keeps history and pages.
#include <readline/history.h>
#include <readline/readline.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/cli/program.hpp"
#include "control/shell/protocol.hpp"

namespace po = boost::program_options;

namespace {

class Connection {
public:
	bool open(const std::string& path, std::string& error)
	{
		sockaddr_un addr{};
		if (!tsunagi::shell::unix_address(path, addr, error)) {
			return false;
		}
		fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd_ < 0 ||
		    connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
			error =
			    "cannot connect to " + path + ": " + std::strerror(errno) +
			    (errno == ENOENT ? " (is tsunagid running for this runtime directory?)"
			                     : "");
			return false;
		}
		return true;
	}

	// One request, one reply; nullopt when tsunagid went away.
	std::optional<nlohmann::json> ask(const std::string& op, const std::string& line)
	{
		const std::string req = nlohmann::json({{"op", op}, {"line", line}}).dump() + "\n";
		for (size_t off = 0; off < req.size();) {
			const ssize_t n =
			    send(fd_, req.data() + off, req.size() - off, MSG_NOSIGNAL);
			if (n <= 0) {
				return std::nullopt;
			}
			off += size_t(n);
		}
		for (;;) {
			size_t nl;
			while ((nl = buf_.find('\n')) == std::string::npos) {
				if (!receive(0)) {
					return std::nullopt;
				}
			}
			auto reply = nlohmann::json::parse(buf_.substr(0, nl), nullptr, false);
			buf_.erase(0, nl + 1);
			if (!reply.is_object()) {
				return std::nullopt;
			}
			if (!print_notice(reply)) {
				return reply;
			}
		}
	}

	// Notices tsunagid sent while the operator was typing, printed above the line.
	void take_notices()
	{
		while (receive(MSG_DONTWAIT)) {
		}
		size_t nl;
		while ((nl = buf_.find('\n')) != std::string::npos) {
			const auto msg = nlohmann::json::parse(buf_.substr(0, nl), nullptr, false);
			if (!msg.is_object() || !msg.contains("notice")) {
				return;  // an answer: ask() takes it
			}
			buf_.erase(0, nl + 1);
			print_notice(msg);
		}
	}

	// Where what the daemon says unasked goes: stderr, or above the line being edited.
	std::function<void(const std::string&)> on_notice;

private:
	bool receive(int flags)
	{
		char tmp[65536];
		const ssize_t n = recv(fd_, tmp, sizeof(tmp), flags);
		if (n <= 0) {
			return false;
		}
		buf_.append(tmp, size_t(n));
		return true;
	}

	bool print_notice(const nlohmann::json& msg)
	{
		if (!msg.contains("notice") || !msg["notice"].is_string()) {
			return false;
		}
		if (on_notice) {
			on_notice("% " + msg["notice"].get<std::string>());
		}
		return true;
	}

	int fd_ = -1;
	std::string buf_;
};

Connection conn;
std::string prompt = "# ";
bool use_pager = true;

std::string text_of(const nlohmann::json& r, const char* key)
{
	return r.contains(key) && r[key].is_string() ? r[key].get<std::string>() : "";
}

// Long output goes through a pager, as in vtysh (TSUNAGI_PAGER, else PAGER, else less).
void show(const std::string& out)
{
	winsize ws{};
	const bool tty = use_pager && isatty(STDOUT_FILENO) &&
	                 ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0;
	const size_t lines = size_t(std::count(out.begin(), out.end(), '\n'));
	if (tty && lines >= ws.ws_row) {
		const char* pager = std::getenv("TSUNAGI_PAGER");
		if (pager == nullptr) {
			pager = std::getenv("PAGER");
		}
		if (FILE* p = popen(pager != nullptr ? pager : "less -FRX", "w")) {
			fwrite(out.data(), 1, out.size(), p);
			pclose(p);
			return;
		}
	}
	fwrite(out.data(), 1, out.size(), stdout);
	fflush(stdout);
}

// `?`: what may come next, printed under the line, which then stays as it was.
int on_question(int, int)
{
	const std::string line(rl_line_buffer, size_t(rl_point));
	const auto r = conn.ask("help", line);
	std::fputs("?\n", rl_outstream);
	if (r) {
		std::fputs(text_of(*r, "output").c_str(), rl_outstream);
	}
	rl_on_new_line();
	return 0;
}

std::vector<std::string> candidates;

char* next_candidate(const char*, int state)
{
	static size_t i;
	if (state == 0) {
		i = 0;
	}
	return i < candidates.size() ? strdup(candidates[i++].c_str()) : nullptr;
}

char** on_tab(const char* text, int, int end)
{
	rl_attempted_completion_over = 1;  // never fall back to file names
	candidates.clear();
	if (const auto r = conn.ask("complete", std::string(rl_line_buffer, size_t(end)))) {
		if (r->contains("candidates") && (*r)["candidates"].is_array()) {
			for (const auto& c : (*r)["candidates"]) {
				candidates.push_back(c.get<std::string>());
			}
		}
	}
	return rl_completion_matches(text, next_candidate);
}

// Runs one line; false when the session is over.
bool run(const std::string& line, bool& failed)
{
	const auto r = conn.ask("exec", line);
	if (!r) {
		std::cerr << "tsunagi-sh: tsunagid closed the connection\n";
		failed = true;
		return false;
	}
	show(text_of(*r, "output"));
	failed =
	    failed || !(r->contains("ok") && (*r)["ok"].is_boolean() && (*r)["ok"].get<bool>());
	prompt = text_of(*r, "prompt");
	return !(r->contains("close") && (*r)["close"] == true);
}

}  // namespace

int main(int argc, char** argv)
{
	std::vector<std::string> commands;
	std::string runtime_dir = "/run/tsunagi";
	std::string socket_path;
	bool no_pager = false;
	po::options_description desc(
	    "tsunagi-sh: the Tsunagi shell\n\n"
	    "Usage: tsunagi-sh [--runtime-dir DIR] [-c COMMAND]...\n"
	    "Without -c it reads commands from the terminal (? for help, Tab to complete) or,\n"
	    "when standard input is not a terminal, one per line from it.\n\nOptions");
	desc.add_options()("help,h", "show this help")(
	    "command,c", po::value(&commands)->composing(),
	    "run COMMAND and exit (may be given several times; they run in order)")(
	    "runtime-dir", po::value(&runtime_dir)->default_value(runtime_dir),
	    "the node's node.runtime_dir, where tsunagid's shell socket is")(
	    "socket", po::value(&socket_path), "the socket itself (overrides --runtime-dir)")(
	    "no-pager", po::bool_switch(&no_pager), "never page long output");
	po::variables_map vm;
	if (auto rc = tsunagi::cli::parse_options(argc, argv, "tsunagi-sh", desc, vm)) {
		return *rc;
	}
	use_pager = !no_pager;
	// A pager quit early (q) closes its pipe under us: that is not a reason to die.
	std::signal(SIGPIPE, SIG_IGN);
	if (socket_path.empty()) {
		socket_path = tsunagi::shell::socket_path(runtime_dir);
	}
	std::string err;
	conn.on_notice = [](const std::string& n) { std::fprintf(stderr, "%s\n", n.c_str()); };
	if (!conn.open(socket_path, err)) {
		std::cerr << "tsunagi-sh: " << err << "\n";
		return tsunagi::cli::kExitRuntime;
	}
	if (const auto hello = conn.ask("hello", "")) {
		prompt = text_of(*hello, "prompt");
	}
	bool failed = false;
	if (!commands.empty()) {
		for (const auto& c : commands) {
			if (!run(c, failed)) {
				break;
			}
		}
		return failed ? 1 : 0;
	}
	if (!isatty(STDIN_FILENO)) {
		std::string line;
		while (std::getline(std::cin, line) && run(line, failed)) {
		}
		return failed ? 1 : 0;
	}
	// While the operator types: a notice goes above the line being edited, which stays.
	rl_event_hook = [] {
		conn.on_notice = [](const std::string& n) {
			std::fprintf(rl_outstream, "\n%s\n", n.c_str());
			rl_on_new_line();
			rl_redisplay();
		};
		conn.take_notices();
		conn.on_notice = [](const std::string& n) {
			std::fprintf(stderr, "%s\n", n.c_str());
		};
		return 0;
	};
	rl_readline_name = "tsunagi-sh";
	rl_attempted_completion_function = on_tab;
	rl_bind_key('?', on_question);
	const char* home = std::getenv("HOME");
	const std::string history =
	    std::string(home != nullptr ? home : ".") + "/.tsunagi_sh_history";
	read_history(history.c_str());
	for (;;) {
		char* raw = readline(prompt.c_str());
		if (raw == nullptr) {  // Ctrl-D
			std::cout << "\n";
			break;
		}
		const std::string line = raw;
		free(raw);
		if (line.find_first_not_of(" \t") != std::string::npos) {
			add_history(line.c_str());
		}
		bool ignored = false;
		if (!run(line, ignored)) {
			break;
		}
	}
	write_history(history.c_str());
	history_truncate_file(history.c_str(), 1000);
	return 0;
}
