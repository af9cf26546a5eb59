// Runs FRR's daemons for the node (zebra, staticd, bgpd with the BMP module) from one
// directory that holds their configuration, pid files, sockets and logs, starts any that
// is not running — at start and whenever one has died — and applies configuration
// changes with FRR's own reload tool, whose diff it returns. The daemons outlive
// tsunagid: BGP sessions stay up while it restarts, and a new tsunagid adopts them.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace tsunagi::frr {

struct SupervisorPaths {
	std::string dir;  // owned by user frr; DIR/frr.conf is the integrated configuration
	std::string sbin = "/usr/lib/frr";
	std::string vtysh = "/usr/bin/vtysh";
	std::string reload = "/usr/lib/frr/frr-reload.py";
	// Set when VRFs are network namespaces (vrf_namespaces.hpp): the daemons run in a
	// mount namespace of their own where this directory is /run/netns, zebra with -n.
	std::string netns_dir;
};

class Supervisor {
public:
	explicit Supervisor(SupervisorPaths p) : p_(std::move(p)) {}

	// Creates the directory, owned by user frr (the daemons run as frr).
	bool prepare(std::string& err);

	// Applies `conf`: with the daemons running, through frr-reload.py (what it changed goes
	// to `log`); otherwise it is what they start with. False when FRR refused it: the
	// running configuration stays, and `log` says why.
	bool apply(const std::string& conf, std::vector<std::string>& log);

	// Starts every daemon that is not running; says which.
	std::vector<std::string> ensure_running();

	// Runs vtysh commands against this node's daemons without waiting for them.
	void vtysh_async(const std::vector<std::string>& commands);
	// Runs vtysh commands and returns their exit status and output.
	int vtysh(const std::vector<std::string>& commands, std::string& out) const;

	// Collects finished vtysh_async children.
	void reap();

	const std::string& dir() const { return p_.dir; }
	bool running(const std::string& daemon) const;

	static const std::vector<std::string>& daemons();

private:
	SupervisorPaths p_;
	std::vector<int> children_;
	std::map<std::string, unsigned> failures_;  // consecutive failed starts per daemon

	std::vector<std::string> vtysh_args(const std::vector<std::string>& commands) const;
	std::string bindir() const;  // where frr-reload.py finds vtysh
};

// What frr-reload.py --test output says would change ("Lines To Delete", "Lines To Add" and
// the lines under them); empty when nothing would.
std::vector<std::string> reload_diff(const std::string& out);

// Runs `argv` to completion and returns its exit status (-1: could not run), its
// standard output and error in `out`; with `netns_dir`, seeing it as /run/netns.
int run_command(const std::vector<std::string>& argv, std::string& out,
                const std::string& netns_dir = {});

// Runs `lines` through `binary -force -batch` (ip(8), bridge(8)), so that one line that
// fails (a device already gone) does not stop the others; 0 when every line succeeded.
int run_batch(const std::string& binary, const std::vector<std::string>& lines, std::string& out);

}  // namespace tsunagi::frr
