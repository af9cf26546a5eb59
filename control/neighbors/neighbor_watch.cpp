#include "control/neighbors/neighbor_watch.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/rtnl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "common/shm/names.hpp"

namespace tsunagi::control {

namespace {

bool to_ip(nl_addr* a, config::IpAddr& out)
{
	if (a == nullptr) {
		return false;
	}
	const int family = nl_addr_get_family(a);
	const unsigned len = nl_addr_get_len(a);
	if ((family != AF_INET || len != 4) && (family != AF_INET6 || len != 16)) {
		return false;
	}
	out = config::IpAddr{};
	out.v6 = family == AF_INET6;
	std::memcpy(out.bytes.data(), nl_addr_get_binary_addr(a), len);
	return true;
}

struct Parsed {
	NeighborWatch* self;
	int type;
};

}  // namespace

std::unique_ptr<NeighborWatch> NeighborWatch::open(std::map<std::string, Link> interfaces,
                                                   std::string& error, int netns_fd)
{
	std::unique_ptr<NeighborWatch> w(new NeighborWatch());
	w->interfaces_ = std::move(interfaces);
	w->sock_ = nl_socket_alloc();
	if (w->sock_ == nullptr) {
		error = "cannot allocate a netlink socket";
		return nullptr;
	}
	nl_socket_disable_seq_check(w->sock_);
	nl_socket_modify_cb(w->sock_, NL_CB_VALID, NL_CB_CUSTOM, &NeighborWatch::on_message,
	                    w.get());
	// Sockets belong to the namespace they are made in: made by a thread that entered
	// the one to watch, they keep watching it.
	auto connect = [&] {
		if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) != 0) {
			error = std::string("cannot enter the namespace: ") + std::strerror(errno);
			return;
		}
		if (int rc = nl_connect(w->sock_, NETLINK_ROUTE); rc < 0) {
			error = std::string("netlink: ") + nl_geterror(rc);
			return;
		}
		w->names_fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	};
	if (netns_fd >= 0) {
		std::thread(connect).join();
	} else {
		connect();
	}
	if (!error.empty()) {
		return nullptr;
	}
	nl_socket_add_membership(w->sock_, RTNLGRP_NEIGH);
	nl_socket_set_nonblocking(w->sock_);
	if (int rc = nl_rtgen_request(w->sock_, RTM_GETNEIGH, AF_UNSPEC, NLM_F_DUMP); rc < 0) {
		error = std::string("netlink neighbour dump: ") + nl_geterror(rc);
		return nullptr;
	}
	return w;
}

NeighborWatch::~NeighborWatch()
{
	if (sock_ != nullptr) {
		nl_socket_free(sock_);
	}
	if (names_fd_ >= 0) {
		close(names_fd_);
	}
}

int NeighborWatch::fd() const
{
	return nl_socket_get_fd(sock_);
}

bool NeighborWatch::process()
{
	changed_ = false;
	// Non-blocking: returns once the socket is drained.
	while (nl_recvmsgs_default(sock_) > 0) {
	}
	return changed_;
}

int NeighborWatch::on_message(::nl_msg* msg, void* arg)
{
	Parsed p{static_cast<NeighborWatch*>(arg), nlmsg_hdr(msg)->nlmsg_type};
	nl_msg_parse(
	    msg,
	    [](nl_object* obj, void* a) {
		    auto* parsed = static_cast<Parsed*>(a);
		    auto* n = reinterpret_cast<rtnl_neigh*>(obj);
		    config::IpAddr ip;
		    if (!to_ip(rtnl_neigh_get_dst(n), ip)) {
			    return;
		    }
		    config::Mac mac;
		    nl_addr* ll = rtnl_neigh_get_lladdr(n);
		    const bool has_mac = ll != nullptr && nl_addr_get_len(ll) == 6;
		    if (has_mac) {
			    std::memcpy(mac.bytes.data(), nl_addr_get_binary_addr(ll), 6);
		    }
		    parsed->self->update(parsed->type, rtnl_neigh_get_ifindex(n), ip,
		                         has_mac ? &mac : nullptr, rtnl_neigh_get_state(n));
	    },
	    &p);
	return NL_OK;
}

void NeighborWatch::update(int type, int ifindex, const config::IpAddr& ip, const config::Mac* mac,
                           int state)
{
	ifreq ifr{};
	ifr.ifr_ifindex = ifindex;
	if (names_fd_ < 0 || ioctl(names_fd_, SIOCGIFNAME, &ifr) != 0) {
		return;
	}
	auto it = interfaces_.find(ifr.ifr_name);
	if (it == interfaces_.end()) {
		return;
	}
	const std::string& port = it->second.port;
	const uint16_t vlan = it->second.vlan;
	auto pos = std::find_if(learned_.begin(), learned_.end(), [&](const config::Neighbor& n) {
		return n.port == port && n.vlan == vlan && n.address == ip;
	});
	const bool usable = type == RTM_NEWNEIGH && mac != nullptr &&
	                    (state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
	                              NUD_PERMANENT | NUD_NOARP)) != 0;
	const bool failed = type == RTM_NEWNEIGH && (state & NUD_FAILED) != 0;
	if (usable) {
		if (pos == learned_.end()) {
			config::Neighbor n;
			n.port = port;
			n.vlan = vlan;
			n.address = ip;
			n.mac = *mac;
			learned_.push_back(n);
			changed_ = true;
		} else if (!(pos->mac == *mac)) {
			pos->mac = *mac;
			changed_ = true;
		}
	} else if (failed && pos != learned_.end()) {
		learned_.erase(pos);
		changed_ = true;
	}
}

void NeighborWatch::probe(const std::string& port, const config::IpAddr& address) const
{
	const int s = socket(address.v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		return;
	}
	const std::string dev = shm::punt_interface(port);
	setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, dev.c_str(), socklen_t(dev.size()));
	constexpr uint16_t kDiscard = 9;
	if (address.v6) {
		sockaddr_in6 sa{};
		sa.sin6_family = AF_INET6;
		sa.sin6_port = htons(kDiscard);
		std::memcpy(&sa.sin6_addr, address.bytes.data(), 16);
		sendto(s, "", 0, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
	} else {
		sockaddr_in sa{};
		sa.sin_family = AF_INET;
		sa.sin_port = htons(kDiscard);
		std::memcpy(&sa.sin_addr, address.bytes.data(), 4);
		sendto(s, "", 0, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
	}
	close(s);
}

}  // namespace tsunagi::control
