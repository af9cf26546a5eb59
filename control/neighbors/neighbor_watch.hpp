// Neighbours the kernel resolves on the dataplane's punt interfaces (ARP, ND), followed
// through rtnetlink with libnl, so VXLAN next hops resolve without `neighbors:` entries.
// An entry the kernel deletes stays in use (the dataplane keeps forwarding to the last
// MAC known, as after a dataplane restart recreates its TAPs); one the kernel finds
// unreachable (FAILED) is dropped.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/config/model.hpp"

struct nl_sock;
struct nl_msg;

namespace tsunagi::control {

class NeighborWatch {
public:
	// Where a punt interface leads: a port, and a VLAN for an Option-A sub-interface.
	struct Link {
		std::string port;
		uint16_t vlan = 0;
	};
	// Subscribes to neighbour changes and asks for the current table. The interfaces
	// map a punt interface name to where it leads. With `netns_fd`, the watch is of that
	// network namespace's kernel (a VRF's, where its sub-interfaces are), not this one's.
	static std::unique_ptr<NeighborWatch> open(std::map<std::string, Link> interfaces,
	                                           std::string& error, int netns_fd = -1);
	~NeighborWatch();

	int fd() const;
	// Reads what the kernel sent; true when the learned neighbours changed.
	bool process();
	const std::vector<config::Neighbor>& learned() const { return learned_; }

	// Makes the kernel resolve `address` on `port`'s punt interface (a datagram to the
	// discard port: the kernel sends ARP or ND first). Of this namespace's interfaces.
	void probe(const std::string& port, const config::IpAddr& address) const;

private:
	NeighborWatch() = default;
	static int on_message(::nl_msg* msg, void* self);
	void update(int type, int ifindex, const config::IpAddr& ip, const config::Mac* mac,
	            int state);

	nl_sock* sock_ = nullptr;
	int names_fd_ = -1;  // a socket of the watched namespace, to name its interfaces
	std::map<std::string, Link> interfaces_;
	std::vector<config::Neighbor> learned_;
	bool changed_ = false;
};

}  // namespace tsunagi::control
