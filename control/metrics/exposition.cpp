#include "control/metrics/exposition.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace tsunagi::metrics {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0)
{
	std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::observe(double v)
{
	const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
	++counts_[size_t(it - bounds_.begin())];
	sum_ += v;
	++count_;
}

namespace {

std::string_view type_name(Type t)
{
	switch (t) {
		case Type::counter:
			return "counter";
		case Type::gauge:
			return "gauge";
		case Type::histogram:
			return "histogram";
	}
	return "untyped";
}

std::string escape(std::string_view v, bool quotes)
{
	std::string out;
	out.reserve(v.size());
	for (char c : v) {
		if (c == '\\') {
			out += "\\\\";
		} else if (c == '\n') {
			out += "\\n";
		} else if (c == '"' && quotes) {
			out += "\\\"";
		} else {
			out += c;
		}
	}
	return out;
}

}  // namespace

std::string escape_label_value(std::string_view v)
{
	return escape(v, true);
}

std::string escape_help(std::string_view v)
{
	return escape(v, false);
}

std::string format_value(double v)
{
	if (std::isnan(v)) {
		return "NaN";
	}
	if (std::isinf(v)) {
		return v > 0 ? "+Inf" : "-Inf";
	}
	char buf[64];
	const auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general);
	return std::string(buf, r.ptr);
}

void Exposition::family(std::string_view name, Type type, std::string_view help)
{
	out_ += "# HELP ";
	out_ += name;
	out_ += ' ';
	out_ += escape_help(help);
	out_ += "\n# TYPE ";
	out_ += name;
	out_ += ' ';
	out_ += type_name(type);
	out_ += '\n';
}

void Exposition::head(std::string_view name, const Label* begin, const Label* end,
                      const Label* extra)
{
	out_ += name;
	if (begin == end && extra == nullptr) {
		out_ += ' ';
		return;
	}
	char sep = '{';
	auto put = [&](const Label& l) {
		out_ += sep;
		out_ += l.first;
		out_ += "=\"";
		out_ += escape_label_value(l.second);
		out_ += '"';
		sep = ',';
	};
	std::for_each(begin, end, put);
	if (extra != nullptr) {
		put(*extra);
	}
	out_ += "} ";
}

void Exposition::sample(std::string_view name, Labels labels, uint64_t value)
{
	head(name, labels.begin(), labels.end());
	out_ += std::to_string(value);
	out_ += '\n';
}

void Exposition::sample(std::string_view name, Labels labels, double value)
{
	head(name, labels.begin(), labels.end());
	out_ += format_value(value);
	out_ += '\n';
}

void Exposition::sample(std::string_view name, const std::vector<Label>& labels, uint64_t value)
{
	head(name, labels.data(), labels.data() + labels.size());
	out_ += std::to_string(value);
	out_ += '\n';
}

void Exposition::histogram(std::string_view name, Labels labels, const Histogram& h)
{
	const std::string bucket = std::string(name) + "_bucket";
	uint64_t cumulative = 0;
	for (size_t i = 0; i <= h.bounds().size(); ++i) {
		cumulative += h.counts()[i];
		const std::string le =
		    i < h.bounds().size() ? format_value(h.bounds()[i]) : std::string("+Inf");
		const Label extra{"le", le};
		head(bucket, labels.begin(), labels.end(), &extra);
		out_ += std::to_string(cumulative);
		out_ += '\n';
	}
	sample(std::string(name) + "_sum", labels, h.sum());
	sample(std::string(name) + "_count", labels, h.count());
}

}  // namespace tsunagi::metrics
