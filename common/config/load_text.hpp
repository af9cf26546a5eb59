// The loader's wording: how it quotes what it read, names places and suggests a fix.
// Internal to the loader (namespace load).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/config/model.hpp"

namespace tsunagi::config::load {

inline constexpr size_t kMaxErrors = 10000;
inline constexpr const char* kDash = "\xe2\x80\x93";  // en dash, as in "1–4094"
inline constexpr int64_t kU32Max = 4294967295LL;

std::string quote(std::string_view s);
// Control bytes (and DEL) as \xNN; everything else, UTF-8 included, as it is.
std::string printable(std::string_view s);
std::string range_text(int64_t lo, int64_t hi);
std::string line_ref(Mark m);
size_t edit_distance(std::string_view a, std::string_view b);
bool valid_name(std::string_view s, size_t max_len = 31);
// What DPDK's device arguments are made of (PCI addresses, vdev names, key=value lists,
// file paths); anything else, a shell's metacharacters above all, is refused here rather
// than when the dataplane starts.
bool valid_device(std::string_view s);
// Why a runtime directory is refused, or "": it must be absolute and normalised, so that
// what the operator reads is the directory the daemons create and lock.
std::string runtime_dir_problem(std::string_view s);
const char* family(const IpAddr& a);
std::string join(const std::string& path, std::string_view key);
std::string item(const std::string& path, size_t i);
// "an access port": a port's role in a sentence.
const char* role_phrase(PortRole r);

// " (did you mean "x"?)" when one candidate is close, else "".
template <class Range>
std::string suggestion(std::string_view word, const Range& candidates)
{
	if (word.size() > 64)
		return "";
	std::string best;
	size_t best_d = 3;
	for (const auto& c : candidates) {
		const std::string_view cv(c);
		if (cv.size() > 64)
			continue;
		const size_t d = edit_distance(word, cv);
		if (d < best_d && d < std::max<size_t>(cv.size(), 2)) {
			best_d = d;
			best = std::string(cv);
		}
	}
	return best.empty() ? "" : " (did you mean " + quote(best) + "?)";
}

}  // namespace tsunagi::config::load
