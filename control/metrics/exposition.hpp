// A writer of the Prometheus text exposition format (version 0.0.4): families with HELP and
// TYPE, samples with escaped label values, histograms as cumulative buckets. It knows the
// format, not Tsunagi: what tsunagid exports is in render.hpp.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tsunagi::metrics {

using Label = std::pair<std::string_view, std::string_view>;
using Labels = std::initializer_list<Label>;

// Observations of a value against fixed upper bounds. counts[i] holds the observations in
// (bounds[i-1], bounds[i]]; the last extra count holds those above every bound (+Inf).
class Histogram {
public:
	explicit Histogram(std::vector<double> bounds);

	void observe(double v);

	const std::vector<double>& bounds() const { return bounds_; }
	const std::vector<uint64_t>& counts() const { return counts_; }
	double sum() const { return sum_; }
	uint64_t count() const { return count_; }

private:
	std::vector<double> bounds_;
	std::vector<uint64_t> counts_;
	double sum_ = 0;
	uint64_t count_ = 0;
};

enum class Type { counter, gauge, histogram };

class Exposition {
public:
	// Starts a family: its HELP and TYPE lines. Every sample that follows until the next
	// family must be of it. A counter's name ends in _total (checked by the tests).
	void family(std::string_view name, Type type, std::string_view help);

	void sample(std::string_view name, Labels labels, uint64_t value);
	void sample(std::string_view name, Labels labels, double value);
	// For label sets built at run time (a worker's number).
	void sample(std::string_view name, const std::vector<Label>& labels, uint64_t value);

	// A histogram family's samples: NAME_bucket{le=...} (cumulative, ending with +Inf),
	// NAME_sum and NAME_count.
	void histogram(std::string_view name, Labels labels, const Histogram& h);

	const std::string& text() const { return out_; }
	std::string take() { return std::move(out_); }

private:
	std::string out_;

	void head(std::string_view name, const Label* begin, const Label* end,
	          const Label* extra = nullptr);
};

// A label value as the format writes it between quotes: \, " and newline escaped.
std::string escape_label_value(std::string_view v);
// HELP text: \ and newline escaped (quotes stay).
std::string escape_help(std::string_view v);
// A sample value: the shortest form that reads back the same, spelled as Go's %g spells it
// (the official clients' le="0.0001"); +Inf, -Inf and NaN as the format spells them.
std::string format_value(double v);

}  // namespace tsunagi::metrics
