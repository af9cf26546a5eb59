#include "control/frr/supervisor.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tsunagi::frr {

namespace {

std::vector<char*> c_args(const std::vector<std::string>& argv)
{
	std::vector<char*> out;
	for (const auto& a : argv) {
		out.push_back(const_cast<char*>(a.c_str()));
	}
	out.push_back(nullptr);
	return out;
}

// fork + exec with stdin from /dev/null; stdout and stderr to `out_fd` (or /dev/null).
// With `netns_dir`, the child sees that directory as /run/netns, in a mount namespace of
// its own that follows the node's (slave): zebra -n takes every entry of /run/netns for a
// VRF, and only the node's VRFs may be there.
pid_t spawn(const std::vector<std::string>& argv, int out_fd, const std::string& netns_dir = {})
{
	auto args = c_args(argv);
	const pid_t pid = fork();
	if (pid == 0) {
		if (!netns_dir.empty() &&
		    (unshare(CLONE_NEWNS) != 0 ||
		     mount("", "/", "none", MS_REC | MS_SLAVE, nullptr) != 0 ||
		     mount(netns_dir.c_str(), "/run/netns", "none", MS_BIND | MS_REC, nullptr) !=
		         0)) {
			_exit(126);
		}
		const int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(out_fd >= 0 ? out_fd : null, 1);
		dup2(out_fd >= 0 ? out_fd : null, 2);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, nullptr);  // tsunagid blocks its signals
		execv(args[0], args.data());
		_exit(127);
	}
	return pid;
}

}  // namespace

int run_command(const std::vector<std::string>& argv, std::string& out,
                const std::string& netns_dir)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		out = std::strerror(errno);
		return -1;
	}
	const pid_t pid = spawn(argv, fds[1], netns_dir);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		out = std::strerror(errno);
		return -1;
	}
	char buf[4096];
	ssize_t n;
	while ((n = read(fds[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		if (n > 0) {
			out.append(buf, size_t(n));
		}
	}
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int run_batch(const std::string& binary, const std::vector<std::string>& lines, std::string& out)
{
	char path[] = "/tmp/tsunagid-batch-XXXXXX";
	const int fd = mkstemp(path);
	if (fd < 0) {
		out = "cannot write a batch file in /tmp";
		return -1;
	}
	close(fd);
	{
		std::ofstream f(path);
		for (const auto& l : lines) {
			f << l << "\n";
		}
	}
	const int rc = run_command({binary, "-force", "-batch", path}, out);
	unlink(path);
	return rc;
}

std::vector<std::string> reload_diff(const std::string& out)
{
	// frr-reload.py --test prints its log, then "Lines To Delete" and "Lines To Add"
	// with their context. It always adds "frr version", which differs only in its patch
	// number, so a diff of that alone is no diff.
	std::vector<std::string> lines;
	bool in = false;
	std::istringstream is(out);
	for (std::string l; std::getline(is, l);) {
		if (l == "Lines To Delete" || l == "Lines To Add") {
			in = true;
		}
		if (in && !l.empty() && l.rfind("frr version", 0) != 0 &&
		    l.rfind("=====", 0) != 0) {
			lines.push_back(l);
		}
	}
	const bool only_headers = std::all_of(lines.begin(), lines.end(), [](const auto& l) {
		return l == "Lines To Delete" || l == "Lines To Add";
	});
	return only_headers ? std::vector<std::string>{} : lines;
}

const std::vector<std::string>& Supervisor::daemons()
{
	// zebra first: the others connect to it.
	static const std::vector<std::string> d{"zebra", "staticd", "bgpd"};
	return d;
}

std::string Supervisor::bindir() const
{
	return p_.netns_dir.empty() ? "/usr/bin" : p_.dir + "/bin";
}

bool Supervisor::prepare(std::string& err)
{
	if (!p_.netns_dir.empty()) {
		// zebra shows a namespace VRF's `netns` line in its running configuration, which
		// frr-reload.py, not finding it in ours, deletes: the VRF goes. The vtysh it
		// runs leaves that line out; the namespace is the VRF's by its name.
		std::error_code ec;
		std::filesystem::create_directories(p_.dir + "/bin", ec);
		std::ofstream w(p_.dir + "/bin/vtysh");
		w << "#!/bin/bash\nset -o pipefail\n"
		  << p_.vtysh << " \"$@\" | sed -e '/^ netns /d'\n";
		w.close();
		if (!w || chmod((p_.dir + "/bin/vtysh").c_str(), 0755) != 0) {
			err = "cannot write " + p_.dir + "/bin/vtysh";
			return false;
		}
	}
	std::error_code ec;
	std::filesystem::create_directories(p_.dir, ec);
	if (ec) {
		err = "cannot create " + p_.dir + ": " + ec.message();
		return false;
	}
	const passwd* pw = getpwnam("frr");
	if (pw == nullptr) {
		err = "no user frr: is FRR installed?";
		return false;
	}
	if (chown(p_.dir.c_str(), pw->pw_uid, pw->pw_gid) != 0 ||
	    chmod(p_.dir.c_str(), 0750) != 0) {
		err = "cannot give " + p_.dir + " to user frr: " + std::strerror(errno);
		return false;
	}
	return true;
}

bool Supervisor::running(const std::string& daemon) const
{
	std::ifstream in(p_.dir + "/" + daemon + ".pid");
	pid_t pid = 0;
	if (!(in >> pid) || pid <= 0 || kill(pid, 0) != 0) {
		return false;
	}
	std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
	std::string name;
	return comm >> name && name == daemon;
}

std::vector<std::string> Supervisor::ensure_running()
{
	std::vector<std::string> started;
	for (const auto& d : daemons()) {
		if (running(d)) {
			continue;
		}
		std::vector<std::string> argv{p_.sbin + "/" + d, "-d", "-P", "0"};
		if (d == "bgpd") {
			argv.insert(argv.end(), {"-M", "bmp"});
		}
		if (d == "zebra") {
			// The netlink receive buffer Debian's /etc/frr/daemons gives zebra: with
			// the default 4 MiB it silently loses link events when an EVPN node's VNI
			// devices come up by the thousand (docs/evpn.md).
			argv.insert(argv.end(), {"-s", "90000000"});
			if (!p_.netns_dir.empty()) {
				argv.push_back("-n");
			}
		}
		argv.insert(argv.end(), {"-f", p_.dir + "/frr.conf", "--vty_socket", p_.dir, "-i",
		                         p_.dir + "/" + d + ".pid", "-z", p_.dir + "/zserv.api",
		                         "--log", "file:" + p_.dir + "/" + d + ".log"});
		// -d: the daemon forks and this child returns once it is up.
		std::string out;
		if (!p_.netns_dir.empty()) {
			std::filesystem::create_directories("/run/netns");
		}
		if (run_command(argv, out, p_.netns_dir) == 0) {
			failures_[d] = 0;
			started.push_back(d + " started");
			continue;
		}
		// Said the first time, then at the 10th, 100th… attempt: tried every second.
		const unsigned n = ++failures_[d];
		unsigned p = 1;
		while (p < n) {
			p *= 10;
		}
		if (p == n) {
			started.push_back(d + " failed to start (attempt " + std::to_string(n) +
			                  "): " + out);
		}
	}
	return started;
}

std::vector<std::string> Supervisor::vtysh_args(const std::vector<std::string>& commands) const
{
	std::vector<std::string> argv{p_.vtysh, "--vty_socket", p_.dir};
	for (const auto& c : commands) {
		argv.insert(argv.end(), {"-c", c});
	}
	return argv;
}

void Supervisor::vtysh_async(const std::vector<std::string>& commands)
{
	const pid_t pid = spawn(vtysh_args(commands), -1);
	if (pid > 0) {
		children_.push_back(pid);
	}
}

int Supervisor::vtysh(const std::vector<std::string>& commands, std::string& out) const
{
	return run_command(vtysh_args(commands), out);
}

void Supervisor::reap()
{
	children_.erase(
	    std::remove_if(children_.begin(), children_.end(),
	                   [](pid_t pid) { return waitpid(pid, nullptr, WNOHANG) != 0; }),
	    children_.end());
}

bool Supervisor::apply(const std::string& conf, std::vector<std::string>& log)
{
	const std::string path = p_.dir + "/frr.conf";
	const std::string next = path + ".next";
	{
		std::ifstream in(path);
		std::stringstream cur;
		cur << in.rdbuf();
		if (in && cur.str() == conf) {
			return true;
		}
	}
	std::ofstream(next) << conf;
	// frr-reload.py runs vtysh with this directory as its configuration directory; without
	// a vtysh.conf there vtysh would add the machine's host name to the running config.
	{
		std::ofstream v(p_.dir + "/vtysh.conf");
		v << "service integrated-vtysh-config\n";
		std::istringstream lines(conf);
		for (std::string l; std::getline(lines, l);) {
			if (l.rfind("hostname ", 0) == 0) {
				v << l << "\n";
			}
		}
	}
	const bool up = std::all_of(daemons().begin(), daemons().end(),
	                            [&](const std::string& d) { return running(d); });
	if (up) {
		const std::vector<std::string> base{
		    p_.reload, "--stdout", "--bindir", bindir(),       "--confdir",
		    p_.dir,    "--rundir", p_.dir,     "--vty_socket", p_.dir};
		auto diff = [&](std::vector<std::string>& lines) {
			auto argv = base;
			argv.insert(argv.end(), {"--test", next});
			std::string out;
			const int rc = run_command(argv, out);
			lines = reload_diff(out);
			if (rc != 0) {
				lines = {out};
			}
			return rc == 0;
		};
		std::vector<std::string> changes;
		if (!diff(changes)) {
			log.push_back("frr-reload.py refuses the configuration: " +
			              changes.front());
			return false;
		}
		if (!changes.empty()) {
			log.push_back("applying to FRR with frr-reload.py:");
			for (const auto& l : changes) {
				log.push_back("  frr: " + l);
			}
			// Its exit status is no guide (its closing `write` fails with a private
			// socket directory): what is left to change afterwards is.
			auto argv = base;
			argv.insert(argv.end(), {"--reload", next});
			std::string out;
			run_command(argv, out);
			std::vector<std::string> left;
			diff(left);
			if (!left.empty()) {
				log.push_back(
				    "FRR did not take all of the configuration; left over:");
				for (const auto& l : left) {
					log.push_back("  frr: " + l);
				}
			}
		}
	}
	std::filesystem::rename(next, path);
	const passwd* pw = getpwnam("frr");
	if (pw != nullptr) {
		chown(path.c_str(), pw->pw_uid, pw->pw_gid);
	}
	return true;
}

}  // namespace tsunagi::frr
