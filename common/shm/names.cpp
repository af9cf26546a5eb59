#include "common/shm/names.hpp"

#include <climits>

namespace tsunagi::shm {

namespace {

// The longest suffix appended to the prefix: ".gen." and 20 digits.
constexpr size_t kLongestSuffix = 5 + 20;

bool plain(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

// "/run//tsunagi/" and "/run/tsunagi" are the same directory and must give the same names.
std::string normalise(const std::string& dir)
{
	std::string out;
	for (const char c : dir) {
		if (c == '/' && !out.empty() && out.back() == '/') {
			continue;
		}
		out += c;
	}
	while (out.size() > 1 && out.back() == '/') {
		out.pop_back();
	}
	return out;
}

uint64_t fnv1a(const std::string& s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const char c : s) {
		h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
	}
	return h;
}

}  // namespace

std::string Names::generation(uint64_t gen) const
{
	return prefix + ".gen." + std::to_string(gen);
}

std::string Names::generation_stem() const
{
	return prefix.substr(1) + ".gen.";
}

Names names_for(const std::string& runtime_dir)
{
	static constexpr char kHex[] = "0123456789abcdef";
	const std::string dir = normalise(runtime_dir);
	// Absolute directories start with '/' and so encode to "/tsunagi.…"; a relative one gets
	// '~', which never comes out of the escaping, so "run" and "/run" stay apart.
	std::string prefix = dir.starts_with('/') ? "/tsunagi" : "/tsunagi~";
	for (const char c : dir) {
		if (c == '/') {
			prefix += '.';
		} else if (plain(c)) {
			prefix += c;
		} else {
			prefix += '%';
			prefix += kHex[static_cast<uint8_t>(c) >> 4];
			prefix += kHex[static_cast<uint8_t>(c) & 15];
		}
	}
	// glibc puts the name without its '/' under /dev/shm, where NAME_MAX bounds it.
	if (prefix.size() - 1 + kLongestSuffix > NAME_MAX) {
		// '#' is escaped above, so a hashed prefix never equals an encoded one.
		prefix = "/tsunagi#";
		const uint64_t h = fnv1a(dir);
		for (int shift = 60; shift >= 0; shift -= 4) {
			prefix += kHex[(h >> shift) & 15];
		}
	}
	Names n;
	n.control = prefix + ".ctl";
	n.stats = prefix + ".stats";
	n.prefix = std::move(prefix);
	return n;
}

namespace {
constexpr size_t kIfNameMax = 15;  // IFNAMSIZ less the terminating NUL
}

std::string punt_interface(const std::string& port_name)
{
	return ("tsu-" + port_name).substr(0, kIfNameMax);
}

std::string subif_interface(const std::string& port_name, uint16_t vlan)
{
	const std::string tail = "." + std::to_string(vlan);
	return ("tsu-" + port_name).substr(0, kIfNameMax - tail.size()) + tail;
}

}  // namespace tsunagi::shm
