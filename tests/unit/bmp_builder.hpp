// Builds BGP UPDATEs and the BMP messages that carry them, as bgpd's `bmp mirror` sends
// them (RFC 7854, RFC 4364, RFC 8277), for the route-feed tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tsunagi::test {

using Bytes = std::vector<uint8_t>;

struct VpnNlri {
	std::string rd;      // "ASN:NN"
	std::string prefix;  // "172.16.0.0/16"
	std::vector<uint32_t> labels;
};

// An UPDATE announcing `nlri` (all of one family) with next hop `next_hop` and route
// targets `rts` ("ASN:NN").
Bytes vpn_update(const std::vector<VpnNlri>& nlri, const std::string& next_hop,
                 const std::vector<std::string>& rts);
// An UPDATE withdrawing `nlri` (labels ignored: RFC 8277's 0x800000 is sent).
Bytes vpn_withdraw(const std::vector<VpnNlri>& nlri);
// The End-of-RIB marker of VPNv4 (v6 = false) or VPNv6.
Bytes vpn_end_of_rib(bool v6);
// An enhanced route refresh marker: subtype 1 (BoRR) or 2 (EoRR).
Bytes route_refresh(bool v6, uint8_t subtype);

// BMP messages from peer `peer` (an address).
Bytes bmp_mirror(const std::string& peer, const Bytes& bgp);
Bytes bmp_peer(uint8_t type, const std::string& peer);  // 3 up, 2 down
Bytes bmp_initiation();

}  // namespace tsunagi::test
