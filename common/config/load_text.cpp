#include "common/config/load_text.hpp"

#include <cstdio>
#include <vector>

namespace tsunagi::config::load {

std::string quote(std::string_view s)
{
	std::string out = "\"";
	size_t n = 0;
	for (char c : s) {
		if (++n > 60) {
			out += "...";
			break;
		}
		const auto u = static_cast<unsigned char>(c);
		if (c == '"' || c == '\\') {
			out += '\\';
			out += c;
		} else if (u < 0x20 || u == 0x7f) {
			char buf[8];
			std::snprintf(buf, sizeof buf, "\\x%02x", u);
			out += buf;
		} else {
			out += c;
		}
	}
	return out + "\"";
}

// Control bytes (and DEL) as \xNN; everything else, UTF-8 included, as it is.
std::string printable(std::string_view s)
{
	std::string out;
	out.reserve(s.size());
	for (char c : s) {
		const auto u = static_cast<unsigned char>(c);
		if (u < 0x20 || u == 0x7f) {
			char buf[8];
			std::snprintf(buf, sizeof buf, "\\x%02x", u);
			out += buf;
		} else {
			out += c;
		}
	}
	return out;
}

std::string range_text(int64_t lo, int64_t hi)
{
	return std::to_string(lo) + kDash + std::to_string(hi);
}

std::string line_ref(Mark m)
{
	return "(line " + std::to_string(m.line) + ")";
}

size_t edit_distance(std::string_view a, std::string_view b)
{
	std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
	for (size_t j = 0; j <= b.size(); ++j)
		prev[j] = j;
	for (size_t i = 1; i <= a.size(); ++i) {
		cur[0] = i;
		for (size_t j = 1; j <= b.size(); ++j) {
			const size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
			cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
		}
		std::swap(prev, cur);
	}
	return prev[b.size()];
}

bool valid_name(std::string_view s, size_t max_len)
{
	if (s.empty() || s.size() > max_len)
		return false;
	return std::all_of(s.begin(), s.end(), [](char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		       c == '_' || c == '.' || c == '-';
	});
}

// What DPDK's device arguments are made of (PCI addresses, vdev names, key=value lists,
// file paths); anything else, a shell's metacharacters above all, is refused here rather
// than when the dataplane starts.
bool valid_device(std::string_view s)
{
	if (s.empty() || s.size() > 255)
		return false;
	return std::all_of(s.begin(), s.end(), [](char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		       std::string_view("_.:,=/+-@%[]").find(c) != std::string_view::npos;
	});
}

// Why a runtime directory is refused, or "": it must be absolute and normalised, so that
// what the operator reads is the directory the daemons create and lock.
std::string runtime_dir_problem(std::string_view s)
{
	if (s.empty() || s[0] != '/')
		return "must be an absolute path";
	if (s.size() == 1)
		return "must not be the root directory";
	if (s.size() > 80)
		return "is longer than 80 characters (the shell socket's path must fit a Unix "
		       "socket address)";
	if (s.back() == '/')
		return "must not end in '/'";
	size_t start = 1;
	for (;;) {
		const size_t end = std::min(s.find('/', start), s.size());
		const std::string_view part = s.substr(start, end - start);
		if (part.empty())
			return "must not contain '//'";
		if (part == "." || part == "..")
			return "must be normalised: no '.' or '..' components";
		if (std::any_of(part.begin(), part.end(), [](char c) {
			    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
		    }))
			return "must not contain control characters";
		if (end == s.size())
			return "";
		start = end + 1;
	}
}

const char* family(const IpAddr& a)
{
	return a.v6 ? "IPv6" : "IPv4";
}

std::string join(const std::string& path, std::string_view key)
{
	return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string item(const std::string& path, size_t i)
{
	return path + "[" + std::to_string(i) + "]";
}

const char* role_phrase(PortRole r)
{
	switch (r) {
		case PortRole::access:
			return "an access port";
		case PortRole::trunk:
			return "a trunk port";
		case PortRole::underlay:
			return "an underlay port";
		case PortRole::interconnect:
			return "an interconnect port";
	}
	return "a port";
}

}  // namespace tsunagi::config::load
