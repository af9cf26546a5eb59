// Loading and validating the YAML configuration of DESIGN.md §5.
//
// load_file / load_string never throw and never stop at the first problem: they
// return every error found, each with a 1-based line and column and a sentence that
// names the key path (e.g. "tenants[2].attachments[0].vlan: VLAN 5000 is out of
// range 1–4094"). A Config is returned only when there is no error at all.
//
// The value parsers (MAC, IP address, prefix) are the single source of truth for
// every other component that reads or prints such values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/model.hpp"

namespace tsunagi::config {

struct Error {
	std::string file;
	int line = 0;    // 1-based; 0 when unknown (e.g. the file cannot be read)
	int column = 0;  // 1-based; 0 when unknown
	std::string message;

	// "file:line:col: message" ("file: message" when the position is unknown).
	std::string to_string() const;
};

struct LoadResult {
	std::optional<Config> config;  // set if and only if errors is empty
	std::vector<Error> errors;     // sorted by position
};

// The largest configuration the daemons read unless told otherwise: far above any real
// node's (a full-scale bench node is ~2 MiB), far below what would stall the daemon's
// loop when it is parsed, kept in the history and shown.
inline constexpr size_t kDefaultMaxConfigBytes = size_t{16} << 20;

// Reads a configuration file whole into `text`; false with one Error when it cannot be
// read, is not a regular file, or is larger than `max_bytes` (then only that much is read).
bool read_config_file(const std::string& path, size_t max_bytes, std::string& text, Error& error);

LoadResult load_file(const std::string& path, size_t max_bytes = kDefaultMaxConfigBytes);
// `max_bytes` refuses a text read by other means (a rollback's, a test's) as the file
// would be refused.
LoadResult load_string(const std::string& yaml_text, const std::string& file_name = "<string>",
                       size_t max_bytes = kDefaultMaxConfigBytes);

// --- value parsers and printers -------------------------------------------------

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
