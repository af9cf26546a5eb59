#include "control/frr/vrf_namespaces.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/config/values.hpp"
#include "common/netif/interface_setup.hpp"
#include "common/shm/names.hpp"

namespace tsunagi::frr {

namespace {

std::string errno_text(const std::string& what)
{
	return what + ": " + std::strerror(errno);
}

bool is_netns(const std::string& path)
{
	struct statfs s {};
	return statfs(path.c_str(), &s) == 0 && s.f_type == NSFS_MAGIC;
}

bool is_mount_point(const std::string& dir)
{
	std::ifstream in("/proc/self/mountinfo");
	for (std::string line; std::getline(in, line);) {
		// id parent major:minor root mount-point ...
		std::istringstream f(line);
		std::string id, parent, dev, root, at;
		if (f >> id >> parent >> dev >> root >> at && at == dir) {
			return true;
		}
	}
	return false;
}

// Runs `f` on a thread inside the network namespace `fd` (or a new one when fd is -1):
// namespaces are per thread, so the daemon itself stays where it is.
template <typename F>
std::string in_netns(int fd, F f)
{
	std::string err;
	std::thread([&] {
		if (fd >= 0 ? setns(fd, CLONE_NEWNET) != 0 : unshare(CLONE_NEWNET) != 0) {
			err = errno_text(fd >= 0 ? "enter the VRF's namespace" : "new namespace");
			return;
		}
		err = f();
	}).join();
	return err;
}

// Moves interface `name` of this namespace into the one `fd` refers to. Empty: done;
// "absent": there is no such interface here.
std::string move_link(const std::string& name, int fd)
{
	nl_sock* sk = nl_socket_alloc();
	if (sk == nullptr) {
		return "cannot allocate a netlink socket";
	}
	std::string err;
	rtnl_link* link = nullptr;
	if (int rc = nl_connect(sk, NETLINK_ROUTE); rc < 0) {
		err = std::string("netlink: ") + nl_geterror(rc);
	} else if (rtnl_link_get_kernel(sk, 0, name.c_str(), &link) < 0) {
		err = "absent";
	} else {
		rtnl_link* change = rtnl_link_alloc();
		rtnl_link_set_ns_fd(change, fd);
		if (int rc = rtnl_link_change(sk, link, change, 0); rc < 0) {
			err = "move " + name + ": " + nl_geterror(rc);
		}
		rtnl_link_put(change);
		rtnl_link_put(link);
	}
	nl_socket_free(sk);
	return err;
}

}  // namespace

VrfNamespaces::~VrfNamespaces()
{
	for (auto& [name, v] : vrfs_) {
		if (v.fd >= 0) {
			close(v.fd);
		}
	}
}

bool VrfNamespaces::wanted(const config::Config& cfg)
{
	for (const auto& p : cfg.peers) {
		if (!p.vrfs.empty()) {
			return true;
		}
	}
	return false;
}

bool VrfNamespaces::prepare(std::string& err)
{
	std::error_code ec;
	std::filesystem::create_directories(dir_, ec);
	if (ec) {
		err = "cannot create " + dir_ + ": " + ec.message();
		return false;
	}
	// As ip-netns does for /run/netns: a mount point of its own, shared.
	if (!is_mount_point(dir_) &&
	    mount(dir_.c_str(), dir_.c_str(), "none", MS_BIND, nullptr) != 0) {
		err = errno_text("bind " + dir_);
		return false;
	}
	if (mount("", dir_.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
		err = errno_text("share " + dir_);
		return false;
	}
	return true;
}

std::string VrfNamespaces::open_vrf(const std::string& tenant, Vrf& v)
{
	const std::string path = dir_ + "/" + tenant;
	if (!is_netns(path)) {
		const int f = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
		if (f < 0) {
			return errno_text("create " + path);
		}
		close(f);
		const std::string err = in_netns(-1, [&]() -> std::string {
			if (mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND,
			          nullptr) != 0) {
				return errno_text("bind the namespace on " + path);
			}
			// Its loopback, up as in any namespace a host runs in.
			return netif::set_up("lo", {});
		});
		if (!err.empty()) {
			return err;
		}
	}
	v.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (v.fd < 0) {
		return errno_text("open " + path);
	}
	return {};
}

std::vector<std::string> VrfNamespaces::sync(const config::Config& cfg)
{
	std::vector<std::string> log;
	for (const auto& peer : cfg.peers) {
		for (const auto& link : peer.vrfs) {
			Vrf& v = vrfs_[link.tenant];
			if (v.fd < 0) {
				if (auto err = open_vrf(link.tenant, v); !err.empty()) {
					log.push_back("VRF " + link.tenant + ": " + err);
					continue;
				}
				log.push_back("VRF " + link.tenant + ": network namespace " + dir_ +
				              "/" + link.tenant);
			}
			const std::string name = shm::subif_interface(peer.port, link.vlan);
			const auto [it, fresh] = v.links.try_emplace(
			    name, control::NeighborWatch::Link{peer.port, link.vlan});
			if (fresh) {
				v.watch.reset();  // opened again below with the new link
			}
			// A TAP here is new: the dataplane made it (again) since the last look.
			std::string err = move_link(name, v.fd);
			if (err == "absent") {
				continue;
			}
			if (err.empty()) {
				err = in_netns(v.fd, [&] {
					netif::InterfaceSetup s;
					s.addresses = {link.address};
					return netif::set_up(name, s);
				});
			}
			log.push_back(
			    "VRF " + link.tenant + ": " + name + " " +
			    (err.empty() ? "moved in, " + config::to_string(link.address) : err));
		}
	}
	for (auto& [tenant, v] : vrfs_) {
		if (v.fd >= 0 && !v.watch) {
			std::string err;
			v.watch = control::NeighborWatch::open(v.links, err, v.fd);
			if (!v.watch) {
				log.push_back("VRF " + tenant + ": no neighbour learning: " + err);
			}
		}
	}
	return log;
}

bool VrfNamespaces::process()
{
	bool changed = false;
	for (auto& [tenant, v] : vrfs_) {
		if (v.watch && v.watch->process()) {
			changed = true;
		}
	}
	return changed;
}

std::vector<config::Neighbor> VrfNamespaces::learned() const
{
	std::vector<config::Neighbor> out;
	for (const auto& [tenant, v] : vrfs_) {
		if (v.watch) {
			out.insert(out.end(), v.watch->learned().begin(), v.watch->learned().end());
		}
	}
	return out;
}

}  // namespace tsunagi::frr
