#include "control/shell/output_filter.hpp"

#include <chrono>
#include <sstream>
#include <string_view>

namespace tsunagi::shell {

namespace {

// libstdc++'s regex matcher recurses per character for some patterns: a bounded subject
// keeps the stack bounded whatever the pattern, and a matcher that gives up (too complex)
// counts as no match rather than ending the daemon.
constexpr size_t kMaxFilteredLine = 256;
// Even so, a costly pattern over much output must not hold the daemon's loop.
constexpr auto kFilterBudget = std::chrono::seconds(2);

// libstdc++ reads the number of a back-reference (`\12`) or of a repeat (`a{2,12}`) into a
// long with no bound: twenty digits overflow it (undefined behaviour). No filter needs
// numbers that long.
constexpr size_t kMaxPatternDigits = 6;

bool numbers_fit(std::string_view p)
{
	bool braces = false;
	bool reading = false;  // where the compiler reads digits as a number
	size_t digits = 0;
	for (size_t i = 0; i < p.size(); ++i) {
		const char c = p[i];
		const bool digit = c >= '0' && c <= '9';
		if (reading && digit) {
			if (++digits > kMaxPatternDigits) {
				return false;
			}
			continue;
		}
		reading = false;
		digits = 0;
		if (c == '\\') {
			reading = i + 1 < p.size() && p[i + 1] >= '0' && p[i + 1] <= '9';
			if (!reading) {
				++i;  // an escaped character: `\{` is no repeat
			}
		} else if (c == '{') {
			braces = true;
			reading = true;
		} else if (c == '}') {
			braces = false;
		} else if (c == ',' && braces) {
			reading = true;
		}
	}
	return true;
}

bool matches(const std::string& line, const std::regex& re)
{
	try {
		return line.size() <= kMaxFilteredLine
		           ? std::regex_search(line, re)
		           : std::regex_search(line.begin(), line.begin() + kMaxFilteredLine, re);
	} catch (const std::regex_error&) {
		return false;
	}
}

}  // namespace

std::string apply_filters(const std::string& text, const std::vector<Filter>& filters)
{
	const auto deadline = std::chrono::steady_clock::now() + kFilterBudget;
	std::string out = text;
	for (const auto& f : filters) {
		std::istringstream in(out);
		std::string line, next;
		size_t count = 0;
		bool begun = false;
		while (std::getline(in, line)) {
			if (f.kind != Filter::Kind::count &&
			    std::chrono::steady_clock::now() > deadline) {
				next += "% Filter stopped: the pattern took more than 2 s\n";
				break;
			}
			bool keep = true;
			switch (f.kind) {
				case Filter::Kind::include:
					keep = matches(line, f.re);
					break;
				case Filter::Kind::exclude:
					keep = !matches(line, f.re);
					break;
				case Filter::Kind::begin:
					begun = begun || matches(line, f.re);
					keep = begun;
					break;
				case Filter::Kind::count:
					++count;
					keep = false;
					break;
			}
			if (keep) {
				next += line;
				next += '\n';
			}
		}
		out = f.kind == Filter::Kind::count ? std::to_string(count) + "\n" : next;
	}
	return out;
}

std::string compile(Filter& f)
{
	if (f.kind == Filter::Kind::count) {
		return {};
	}
	if (f.pattern.size() > kMaxPattern) {
		return "% Regular expression too long (at most " + std::to_string(kMaxPattern) +
		       " characters)";
	}
	if (!numbers_fit(f.pattern)) {
		return "% Invalid regular expression: a number in it has more than " +
		       std::to_string(kMaxPatternDigits) + " digits";
	}
	try {
		// libstdc++'s default matcher backtracks: `(.|.)*x` takes exponential time.
		// Its polynomial (Thompson) matcher runs in the daemon's loop safely; it
		// has no back-references, which a filter does not need.
		f.re = std::regex(f.pattern,
		                  std::regex::ECMAScript | std::regex_constants::__polynomial);
	} catch (const std::regex_error&) {
		return "% Invalid regular expression: " + f.pattern;
	}
	return {};
}

}  // namespace tsunagi::shell
