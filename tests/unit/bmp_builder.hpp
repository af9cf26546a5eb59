// Builds BGP UPDATEs and the BMP messages that carry them, as bgpd's `bmp mirror` sends
// them (RFC 7854, RFC 4271, RFC 4760, RFC 4364, RFC 8277), for the route-feed tests.
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
// An enhanced route refresh marker: subtype 1 (BoRR) or 2 (EoRR), of VPN (SAFI 128) or
// unicast (SAFI 1).
Bytes route_refresh(bool v6, uint8_t subtype, uint8_t safi = 128);

// An IPv4 unicast UPDATE in the message's own fields: `withdrawn` prefixes, and `nlri`
// with NEXT_HOP `next_hop` (omitted when empty), AS_PATH `as_path`.
Bytes ipv4_update(const std::vector<std::string>& nlri, const std::string& next_hop,
                  const std::vector<std::string>& withdrawn = {},
                  const std::vector<uint32_t>& as_path = {2516});
// An IPv6 unicast UPDATE (MP_REACH_NLRI, SAFI 1); with `link_local`, a 32-byte next hop.
Bytes ipv6_update(const std::vector<std::string>& nlri, const std::string& next_hop,
                  const std::string& link_local = "");
// An IPv6 unicast withdrawal (MP_UNREACH_NLRI, SAFI 1).
Bytes ipv6_withdraw(const std::vector<std::string>& nlri);
// The End-of-RIB marker of IPv4 unicast (an empty UPDATE) or IPv6 unicast.
Bytes unicast_end_of_rib(bool v6);

// L2VPN EVPN (AFI 25, SAFI 70; RFC 7432, RFC 8365, RFC 9136). One route's NLRI: type,
// length and its fields; `mac` as "02:aa:00:00:00:01", an empty `ip` for none.
Bytes evpn_mac_ip(const std::string& rd, const std::string& mac, const std::string& ip,
                  uint32_t vni, int64_t l3_vni = -1, uint32_t tag = 0, uint8_t esi0 = 0);
Bytes evpn_multicast(const std::string& rd, const std::string& originator, uint32_t tag = 0);
Bytes evpn_prefix(const std::string& rd, const std::string& prefix, const std::string& gateway,
                  uint32_t vni, uint32_t tag = 0);
// Extended communities, 8 bytes each.
Bytes ext_rt(const std::string& rt);  // "ASN:NN"
Bytes ext_encap(uint16_t tunnel_type);
Bytes ext_mobility(bool sticky, uint32_t seq);
Bytes ext_router_mac(const std::string& mac);
// A PMSI tunnel attribute's value: flags 0, `tunnel_type`, the VNI as label, `tunnel` id.
Bytes pmsi(uint8_t tunnel_type, uint32_t vni, const std::string& tunnel);
// An UPDATE announcing `routes` from VTEP `next_hop` with extended communities `ext` (the
// concatenation of ext_*()) and, when not empty, a PMSI tunnel attribute.
Bytes evpn_update(const std::vector<Bytes>& routes, const std::string& next_hop, const Bytes& ext,
                  const Bytes& pmsi_value = {});
Bytes evpn_withdraw(const std::vector<Bytes>& routes);
Bytes evpn_end_of_rib();

// BMP messages from peer `peer` (an address) of AS `peer_as`.
Bytes bmp_mirror(const std::string& peer, const Bytes& bgp, uint32_t peer_as = 2516);
Bytes bmp_peer(uint8_t type, const std::string& peer);  // 3 up, 2 down
Bytes bmp_initiation();

}  // namespace tsunagi::test
