#include "bench/live_dataplane.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <sstream>
#include <thread>

#include "common/config/values.hpp"

namespace tsunagi::bench {

namespace {

template <class T, class F>
std::string yaml_list(const std::vector<T>& v, F text)
{
	std::string s = "[";
	for (size_t i = 0; i < v.size(); ++i) {
		s += (i ? ", \"" : "\"") + text(v[i]) + "\"";
	}
	return s + "]";
}

// Runs in the forked child, before exec.
[[noreturn]] void exec_child(const std::vector<char*>& argv, int log_fd, pid_t parent)
{
	// A bench that dies without cleaning up takes its dataplane with it.
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) {
		_exit(127);
	}
	if (unshare(CLONE_NEWNET) == 0) {
		// The new namespace's TAPs would otherwise send IPv6 router solicitations,
		// which the dataplane forwards out of its ports and the loss count would see.
		for (const char* p : {"/proc/sys/net/ipv6/conf/default/disable_ipv6",
		                      "/proc/sys/net/ipv6/conf/all/disable_ipv6"}) {
			const int fd = ::open(p, O_WRONLY | O_CLOEXEC);
			if (fd >= 0) {
				(void)!write(fd, "1", 1);
				close(fd);
			}
		}
	} else {
		static const char kNote[] =
		    "tsunagi-bench-live: no network namespace of its own (unshare failed); the "
		    "punt TAPs live in the bench's\n";
		(void)!write(log_fd, kNote, sizeof(kNote) - 1);
	}
	dup2(log_fd, STDOUT_FILENO);
	dup2(log_fd, STDERR_FILENO);
	execv(argv[0], argv.data());
	_exit(127);
}

}  // namespace

std::string dataplane_yaml(const config::Config& cfg, const std::string& runtime_dir,
                           const std::vector<std::string>& devices, unsigned cpu)
{
	const auto addr = [](const config::IpAddr& a) { return config::to_string(a); };
	const auto prefix = [](const config::IpPrefix& p) { return config::to_string(p); };
	std::ostringstream y;
	y << "node:\n"
	  << "  name: " << cfg.node.name << "\n"
	  << "  asn: " << cfg.node.asn << "\n"
	  << "  router_id: " << config::to_string(cfg.node.router_id) << "\n"
	  << "  vtep: " << yaml_list(cfg.node.vteps, addr) << "\n"
	  << "  runtime_dir: \"" << runtime_dir << "\"\n"
	  << "  eal: { lcores: \"" << cpu << "\", memory: 512 }\n"
	  << "ports:\n";
	for (size_t i = 0; i < cfg.ports.size(); ++i) {
		const config::Port& p = cfg.ports[i];
		y << "  - { name: " << p.name << ", role: " << config::to_string(p.role)
		  << ", device: \"" << devices.at(i) << "\"";
		if (!p.addresses.empty()) {
			y << ", address: " << yaml_list(p.addresses, prefix);
		}
		if (!p.gateways.empty()) {
			y << ", gateway: " << yaml_list(p.gateways, addr);
		}
		if (p.mtu) {
			y << ", mtu: " << p.mtu;
		}
		y << " }\n";
	}
	return y.str();
}

bool ChildDataplane::start(const std::string& binary, const std::vector<std::string>& args,
                           const std::string& log_path, std::string& error)
{
	const int log_fd =
	    ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log_fd < 0) {
		error = log_path + ": " + std::strerror(errno);
		return false;
	}
	std::vector<std::string> all{binary};
	all.insert(all.end(), args.begin(), args.end());
	std::vector<char*> argv;
	for (auto& a : all) {
		argv.push_back(a.data());
	}
	argv.push_back(nullptr);
	const pid_t parent = getpid();
	pid_ = fork();
	if (pid_ == 0) {
		exec_child(argv, log_fd, parent);
	}
	close(log_fd);
	if (pid_ < 0) {
		error = std::string("fork: ") + std::strerror(errno);
		return false;
	}
	return true;
}

bool ChildDataplane::running()
{
	if (pid_ <= 0) {
		return false;
	}
	if (waitpid(pid_, &status_, WNOHANG) == pid_) {
		pid_ = -1;
		return false;
	}
	return true;
}

std::string ChildDataplane::exit_status() const
{
	if (WIFEXITED(status_)) {
		return "exited with status " + std::to_string(WEXITSTATUS(status_));
	}
	if (WIFSIGNALED(status_)) {
		return std::string("killed by ") + strsignal(WTERMSIG(status_));
	}
	return "still running";
}

bool ChildDataplane::stop(unsigned grace_ms)
{
	if (!running()) {
		return false;
	}
	kill(pid_, SIGTERM);
	const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
	while (running()) {
		if (std::chrono::steady_clock::now() > until) {
			kill(pid_, SIGKILL);
			waitpid(pid_, &status_, 0);
			pid_ = -1;
			return false;
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(5));
	}
	return WIFEXITED(status_) && WEXITSTATUS(status_) == 0;
}

}  // namespace tsunagi::bench
