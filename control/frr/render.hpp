// FRR's configuration for a node, rendered from the YAML (DESIGN.md §4): one BGP
// instance with the Option-B carriers' VPNv4/VPNv6 sessions, each carrier receiving only
// its own tenants' routes; the prefixes of a VRF without Option-A sessions announced there
// as VPN routes with the VRF's RD, label and route targets; and per VRF with Option-A
// sessions an FRR VRF (network-namespace backend) with its neighbours, RD, route targets
// and fixed label, its prefixes as blackhole routes redistributed. See docs/frr.md.
#pragma once

#include <map>
#include <string>

#include "common/abi/table_view.hpp"
#include "common/config/model.hpp"

namespace tsunagi::frr {

// This node's MPLS label of each tenant VRF, by tenant name: what the dataplane pops, so
// what FRR must announce (abi VrfEntry.label of the tables in use).
using Labels = std::map<std::string, uint32_t>;
Labels labels_of(const abi::TableView& tables);

// The integrated frr.conf text. Deterministic: the same YAML and labels give the same
// bytes, so FRR's reload tool shows only real changes.
struct Options {
	uint16_t bmp_port = 0;  // where bgpd mirrors the carriers' messages to; 0: no feed
};
std::string render(const config::Config& cfg, const Labels& labels, const Options& opt = {});

// Whether a tenant's VRF has Option-A sessions, so needs an FRR VRF.
bool has_option_a(const config::Config& cfg, const config::Tenant& t);

// Names of the route maps and lists the rendering uses.
std::string export_map(const config::Tenant& t);
std::string peer_map(const config::Peer& p);
std::string peer_list(const config::Peer& p);

// The VRF (and network namespace) name of a tenant's VRF in FRR.
std::string vrf_name(const config::Tenant& t);

}  // namespace tsunagi::frr
