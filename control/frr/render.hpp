// FRR's configuration for a node, rendered from the YAML (DESIGN.md §4): one BGP
// instance with the Option-B carriers' VPNv4/VPNv6 sessions, and per tenant VRF an
// instance with its RD, route targets and fixed label, its Option-A neighbours, and its
// prefixes (as static blackhole routes redistributed, since the dataplane, not the kernel,
// holds them). VRFs use FRR's network-namespace backend; see docs/frr.md.
#pragma once

#include <map>
#include <string>

#include "control/config/model.hpp"
#include "dataplane/abi/table_view.hpp"

namespace tsunagi::frr {

// This node's MPLS label of each tenant VRF, by tenant name: what the dataplane pops, so
// what FRR must announce (abi VrfEntry.label of the tables in use).
using Labels = std::map<std::string, uint32_t>;
Labels labels_of(const abi::TableView& tables);

// The integrated frr.conf text. Deterministic: the same YAML and labels give the same
// bytes, so FRR's reload tool shows only real changes.
std::string render(const config::Config& cfg, const Labels& labels);

// The VRF (and network namespace) name of a tenant's VRF in FRR.
std::string vrf_name(const config::Tenant& t);

}  // namespace tsunagi::frr
