// The configuration's value types as text: MACs, IP addresses and prefixes parsed and
// printed. The single source of truth for every component that reads or prints them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/config/model.hpp"

namespace tsunagi::config {

// "02:00:0a:ff:00:01": six colon-separated pairs of hex digits (either case).
std::optional<Mac> parse_mac(std::string_view text);
// Dotted-quad IPv4 or RFC 4291 IPv6 text (inet_pton); no zone, no surrounding space.
std::optional<IpAddr> parse_ip(std::string_view text);
// "ADDR/LEN" with LEN 0–32 (IPv4) or 0–128 (IPv6). Host bits may be set (an interface
// address such as 192.0.2.1/24 is a valid prefix); see prefix_is_network().
std::optional<IpPrefix> parse_prefix(std::string_view text);

std::string to_string(const Mac& mac);          // lower case, "02:00:0a:ff:00:01"
std::string to_string(const IpAddr& addr);      // inet_ntop form
std::string to_string(const IpPrefix& prefix);  // "ADDR/LEN"
const char* to_string(PortRole role);           // as the YAML writes it: "access", …

// Same family and the first prefix.length bits equal.
bool prefix_contains(const IpPrefix& prefix, const IpAddr& addr);
// The prefix with its host bits cleared.
IpPrefix prefix_network(const IpPrefix& prefix);
// True when no host bit is set (10.9.0.0/16 yes, 10.9.0.1/16 no).
bool prefix_is_network(const IpPrefix& prefix);

bool mac_is_multicast(const Mac& mac);  // group bit (also true for broadcast)
bool ip_is_multicast(const IpAddr& addr);
bool ip_is_unspecified(const IpAddr& addr);

}  // namespace tsunagi::config
