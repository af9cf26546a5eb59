#include "common/config/values.hpp"

#include <arpa/inet.h>

#include <cstdio>

namespace tsunagi::config {

namespace {

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

}  // namespace

std::optional<Mac> parse_mac(std::string_view text)
{
	if (text.size() != 17)
		return std::nullopt;
	Mac mac;
	for (size_t i = 0; i < 6; ++i) {
		const size_t at = i * 3;
		const int hi = hex_digit(text[at]);
		const int lo = hex_digit(text[at + 1]);
		if (hi < 0 || lo < 0)
			return std::nullopt;
		if (i < 5 && text[at + 2] != ':')
			return std::nullopt;
		mac.bytes[i] = static_cast<uint8_t>(hi * 16 + lo);
	}
	return mac;
}

std::optional<IpAddr> parse_ip(std::string_view text)
{
	if (text.empty() || text.size() > INET6_ADDRSTRLEN)
		return std::nullopt;
	if (text.find('\0') != std::string_view::npos)
		return std::nullopt;
	const std::string s(text);
	IpAddr addr;
	if (s.find(':') == std::string::npos) {
		if (inet_pton(AF_INET, s.c_str(), addr.bytes.data()) != 1)
			return std::nullopt;
		addr.v6 = false;
	} else {
		if (inet_pton(AF_INET6, s.c_str(), addr.bytes.data()) != 1)
			return std::nullopt;
		addr.v6 = true;
	}
	return addr;
}

std::optional<IpPrefix> parse_prefix(std::string_view text)
{
	const size_t slash = text.find('/');
	if (slash == std::string_view::npos)
		return std::nullopt;
	auto addr = parse_ip(text.substr(0, slash));
	if (!addr)
		return std::nullopt;
	const std::string_view len_text = text.substr(slash + 1);
	if (len_text.empty() || len_text.size() > 3)
		return std::nullopt;
	unsigned len = 0;
	for (char c : len_text) {
		if (c < '0' || c > '9')
			return std::nullopt;
		len = len * 10 + static_cast<unsigned>(c - '0');
	}
	if (len_text.size() > 1 && len_text[0] == '0')
		return std::nullopt;
	if (len > (addr->v6 ? 128u : 32u))
		return std::nullopt;
	return IpPrefix{*addr, static_cast<uint8_t>(len)};
}

std::string to_string(const Mac& mac)
{
	char buf[18];
	std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac.bytes[0], mac.bytes[1],
	              mac.bytes[2], mac.bytes[3], mac.bytes[4], mac.bytes[5]);
	return buf;
}

std::string to_string(const IpAddr& addr)
{
	char buf[INET6_ADDRSTRLEN] = {};
	if (inet_ntop(addr.v6 ? AF_INET6 : AF_INET, addr.bytes.data(), buf, sizeof buf) == nullptr)
		return "?";
	return buf;
}

std::string to_string(const IpPrefix& prefix)
{
	return to_string(prefix.addr) + "/" + std::to_string(prefix.length);
}

const char* to_string(PortRole role)
{
	switch (role) {
		case PortRole::access:
			return "access";
		case PortRole::trunk:
			return "trunk";
		case PortRole::underlay:
			return "underlay";
		case PortRole::interconnect:
			return "interconnect";
	}
	return "?";
}

bool prefix_contains(const IpPrefix& prefix, const IpAddr& addr)
{
	if (prefix.addr.v6 != addr.v6)
		return false;
	const unsigned max = prefix.addr.v6 ? 128 : 32;
	const unsigned len = prefix.length > max ? max : prefix.length;
	const unsigned full = len / 8;
	for (unsigned i = 0; i < full; ++i)
		if (prefix.addr.bytes[i] != addr.bytes[i])
			return false;
	const unsigned rest = len % 8;
	if (rest != 0) {
		const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
		if ((prefix.addr.bytes[full] & mask) != (addr.bytes[full] & mask))
			return false;
	}
	return true;
}

IpPrefix prefix_network(const IpPrefix& prefix)
{
	IpPrefix out = prefix;
	for (unsigned i = 0; i < 16; ++i) {
		const unsigned bit = i * 8;
		if (bit >= prefix.length)
			out.addr.bytes[i] = 0;
		else if (prefix.length - bit < 8)
			out.addr.bytes[i] &=
			    static_cast<uint8_t>(0xff << (8 - (prefix.length - bit)));
	}
	return out;
}

bool prefix_is_network(const IpPrefix& prefix)
{
	return prefix_network(prefix) == prefix;
}

bool mac_is_multicast(const Mac& mac)
{
	return (mac.bytes[0] & 0x01) != 0;
}

bool ip_is_multicast(const IpAddr& addr)
{
	return addr.v6 ? addr.bytes[0] == 0xff : (addr.bytes[0] & 0xf0) == 0xe0;
}

bool ip_is_unspecified(const IpAddr& addr)
{
	const unsigned size = addr.v6 ? 16 : 4;
	for (unsigned i = 0; i < size; ++i)
		if (addr.bytes[i] != 0)
			return false;
	return true;
}

}  // namespace tsunagi::config
