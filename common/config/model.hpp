// The validated configuration: what the YAML of DESIGN.md §5 says, in C++ types.
// The loader fills it only when the whole file is valid; every consumer (table
// compiler, FRR renderer, shell) reads this and never the YAML.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tsunagi::config {

// Where a value was written, for messages that point at a line (1-based).
struct Mark {
	int line = 0;
	int column = 0;
};

struct Mac {
	std::array<uint8_t, 6> bytes{};
	auto operator<=>(const Mac&) const = default;
};

// An IPv4 or IPv6 address; IPv4 is kept in the first 4 bytes, network order.
struct IpAddr {
	bool v6 = false;
	std::array<uint8_t, 16> bytes{};
	bool operator==(const IpAddr&) const = default;
};

struct IpPrefix {
	IpAddr addr;
	uint8_t length = 0;
	bool operator==(const IpPrefix&) const = default;
};

enum class PortRole { access, trunk, underlay, interconnect };

struct Port {
	Mark mark;
	std::string name;
	PortRole role = PortRole::access;
	std::string device;
	std::optional<Mac> mac;
	// Not from the YAML: the MAC the dataplane found on the device of a port without
	// `mac:` (DESIGN.md §5), which the tables must carry; diff() ignores it.
	std::optional<Mac> device_mac;
	// An underlay or interconnect port may carry one IPv4 and one IPv6 address.
	std::vector<IpPrefix> addresses;
	std::vector<IpAddr> gateways;
	uint32_t mtu = 1500;
};

struct Neighbor {
	Mark mark;
	std::string port;    // set for an underlay/interconnect neighbour
	uint16_t vlan = 0;   // Option-A sub-interface, 0 when none
	std::string tenant;  // set for a host in a tenant segment
	IpAddr address;
	Mac mac;
};

struct Attachment {
	Mark mark;
	std::string port;
	uint16_t vlan = 0;
	uint16_t inner_vlan = 0;  // 0: single tag (TPID 0x8100); else QinQ (0x88a8 outer)
};

struct StaticMac {
	Mark mark;
	Mac mac;
	// Exactly one of: an attachment (port + vlan [+ inner_vlan]), a trunk port, a VTEP.
	std::string port;
	uint16_t vlan = 0;
	uint16_t inner_vlan = 0;
	std::optional<IpAddr> vtep;
	// Learned over EVPN rather than written in the YAML: the dataplane lets a frame from
	// the MAC on another member move it (a host that moved), where YAML statics stay put.
	bool movable = false;
};

struct StaticRoute {
	Mark mark;
	IpPrefix prefix;
	IpAddr via;
};

struct Vrf {
	Mark mark;
	std::optional<uint32_t> label;
	std::string rd;
	std::vector<std::string> import_rts;
	std::vector<std::string> export_rts;
	std::vector<IpPrefix> gateways;
	std::vector<StaticRoute> static_routes;
	// The VNI of the VRF's type-5 routes (RFC 9136, docs/evpn.md); 0: none.
	uint32_t l3_vni = 0;
};

struct Tenant {
	Mark mark;
	std::string name;
	uint32_t vni = 0;
	uint16_t hybrid_vlan = 0;
	std::vector<Attachment> attachments;
	std::vector<IpAddr> vteps;
	uint32_t mac_limit = 0;  // 0: no limit
	std::vector<StaticMac> static_macs;
	std::optional<Vrf> vrf;
	// Remote VTEPs and MACs also come from BGP EVPN, and the tenant's VNI is advertised
	// (node.evpn must be set); static `vteps` still count.
	bool evpn = false;
};

struct OptionAVrf {
	Mark mark;
	std::string tenant;
	uint16_t vlan = 0;
	IpPrefix address;
	IpAddr neighbor;
};

struct StaticVpnRoute {
	Mark mark;
	std::string tenant;
	IpPrefix prefix;
	std::vector<uint32_t> labels;
};

enum class PeerOption { A, B };

struct Peer {
	Mark mark;
	std::string name;
	PeerOption option = PeerOption::B;
	std::string port;
	uint32_t asn = 0;
	std::optional<IpAddr> address;                  // Option B
	std::vector<std::string> tenants;               // Option B
	std::vector<OptionAVrf> vrfs;                   // Option A
	std::vector<StaticVpnRoute> static_vpn_routes;  // Option B, for replay
};

// A BGP EVPN session of the node: a leaf, a spine or a route reflector (docs/evpn.md).
struct EvpnPeer {
	Mark mark;
	IpAddr address;
	uint32_t asn = 0;  // 0: the node's (iBGP)
};

struct Evpn {
	Mark mark;
	std::vector<EvpnPeer> peers;
	uint16_t keepalive_s = 3;
	uint16_t hold_s = 9;
};

struct Eal {
	std::string lcores;
	std::optional<uint32_t> memory_mb;
	std::vector<std::string> args;
};

struct Node {
	Mark mark;
	std::string name;
	uint32_t asn = 0;
	IpAddr router_id;
	std::optional<Mac> router_mac;
	// One IPv4 and/or one IPv6 VXLAN source; each must be an underlay port address.
	std::vector<IpAddr> vteps;
	std::string runtime_dir = "/run/tsunagi";
	// The group the node's shared memory and sockets are shared with (mode 0660), so that
	// tsunagid can run as a user of that group without root; empty: mode 0600, one user.
	std::string group;
	uint32_t mac_aging_s = 300;
	std::string metrics_address = "127.0.0.1:9469";
	std::optional<Eal> eal;
	std::optional<Evpn> evpn;
};

struct Config {
	std::string file;
	Node node;
	std::vector<Port> ports;
	std::vector<Neighbor> neighbors;
	std::vector<Tenant> tenants;
	std::vector<Peer> peers;
};

}  // namespace tsunagi::config
