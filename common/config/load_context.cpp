#include "common/config/load_context.hpp"

#include "common/config/values.hpp"

namespace tsunagi::config::load {

Mark mark_of(const YAML::Node& n)
{
	try {
		const YAML::Mark m = n.Mark();
		if (m.line < 0 || m.column < 0)
			return {};
		return Mark{m.line + 1, m.column + 1};
	} catch (...) {
		return {};
	}
}

Mark or_mark(Mark m, Mark fallback)
{
	return m.line > 0 ? m : fallback;
}

std::string describe(const YAML::Node& n)
{
	switch (n.Type()) {
		case YAML::NodeType::Scalar:
			return quote(n.Scalar());
		case YAML::NodeType::Sequence:
			return "a list";
		case YAML::NodeType::Map:
			return "a mapping";
		default:
			return "nothing";
	}
}

Fields fields_of(const Map& m)
{
	return Fields{m.path, m.mark, {}};
}

std::optional<Map> read_map(Ctx& ctx, const Val& v, std::initializer_list<std::string_view> keys)
{
	if (!v.node.IsMap()) {
		ctx.error(v.mark, v.path, "expected a mapping, got " + describe(v.node));
		return std::nullopt;
	}
	Map m;
	m.mark = or_mark(mark_of(v.node), v.mark);
	m.path = v.path;
	std::map<std::string, Mark> seen;
	for (auto it = v.node.begin(); it != v.node.end(); ++it) {
		const YAML::Node k = it->first;
		const YAML::Node val = it->second;
		const Mark km = or_mark(mark_of(k), m.mark);
		if (!k.IsScalar()) {
			ctx.error(km, m.path, "a key must be a plain name, got " + describe(k));
			continue;
		}
		const std::string key = k.Scalar();
		const std::string path = join(m.path, key);
		auto [first, inserted] = seen.emplace(key, km);
		if (!inserted) {
			ctx.error(km, path,
			          "duplicate key " + quote(key) + " (first at line " +
			              std::to_string(first->second.line) + ")");
			continue;
		}
		if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
			std::string msg = "unknown key " + quote(key);
			const std::string hint = suggestion(key, keys);
			if (!hint.empty()) {
				msg += hint;
			} else {
				msg += " (expected one of:";
				bool first_key = true;
				for (auto kk : keys) {
					msg += first_key ? " " : ", ";
					msg += std::string(kk);
					first_key = false;
				}
				msg += ")";
			}
			ctx.error(km, path, msg);
			continue;
		}
		m.entries.push_back(Entry{key, km, Val{val, or_mark(mark_of(val), km), path}});
	}
	return m;
}

const Entry* require(Ctx& ctx, const Map& m, std::string_view key)
{
	const Entry* e = m.get(key);
	if (e == nullptr)
		ctx.error(m.mark, m.path, "missing required key " + quote(key));
	return e;
}

// A list; null (the key with nothing after it) reads as an empty list.
std::optional<std::vector<Val>> read_list(Ctx& ctx, const Val& v)
{
	std::vector<Val> out;
	if (v.node.IsNull())
		return out;
	if (!v.node.IsSequence()) {
		ctx.error(v.mark, v.path, "expected a list, got " + describe(v.node));
		return std::nullopt;
	}
	size_t i = 0;
	for (auto it = v.node.begin(); it != v.node.end(); ++it, ++i) {
		const YAML::Node n = *it;
		out.push_back(Val{n, or_mark(mark_of(n), v.mark), item(v.path, i)});
	}
	return out;
}

// A scalar, or a list of scalars (for the one-per-family forms).
std::vector<Val> read_scalar_or_list(Ctx& ctx, const Val& v)
{
	if (v.node.IsScalar())
		return {v};
	if (v.node.IsSequence())
		return read_list(ctx, v).value_or(std::vector<Val>{});
	ctx.error(v.mark, v.path, "expected a value or a list, got " + describe(v.node));
	return {};
}

bool want_scalar(Ctx& ctx, const Val& v, const char* expected)
{
	if (v.node.IsScalar())
		return true;
	ctx.error(v.mark, v.path,
	          std::string("expected ") + expected + ", got " + describe(v.node));
	return false;
}

std::optional<std::string> read_string(Ctx& ctx, const Val& v)
{
	if (!want_scalar(ctx, v, "a string"))
		return std::nullopt;
	if (v.node.Scalar().empty()) {
		ctx.error(v.mark, v.path, "must not be empty");
		return std::nullopt;
	}
	return v.node.Scalar();
}

std::optional<bool> read_bool(Ctx& ctx, const Val& v)
{
	if (!want_scalar(ctx, v, "true or false"))
		return std::nullopt;
	const std::string& s = v.node.Scalar();
	// Only YAML 1.2's two words: yes/no/on/off read as booleans in YAML 1.1 and as
	// strings in 1.2, so a file would mean different things to different tools.
	if (v.node.Tag() == "?" && (s == "true" || s == "false"))
		return s == "true";
	ctx.error(v.mark, v.path, "expected true or false, got " + quote(s));
	return std::nullopt;
}

std::optional<int64_t> read_int(Ctx& ctx, const Val& v, const std::string& what, int64_t lo,
                                int64_t hi)
{
	if (!want_scalar(ctx, v, "an integer"))
		return std::nullopt;
	const std::string& s = v.node.Scalar();
	const std::string& tag = v.node.Tag();
	if (tag != "?" && tag != "tag:yaml.org,2002:int") {
		ctx.error(v.mark, v.path, "expected an integer, got the string " + quote(s));
		return std::nullopt;
	}
	size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
	const bool negative = i == 1;
	if (i >= s.size() || !std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i), s.end(),
	                                  [](char c) { return c >= '0' && c <= '9'; })) {
		ctx.error(v.mark, v.path, "expected an integer, got " + quote(s));
		return std::nullopt;
	}
	if (s.size() - i > 1 && s[i] == '0') {
		ctx.error(v.mark, v.path,
		          "expected a decimal integer, got " + quote(s) +
		              " (a leading zero reads as octal in YAML 1.1)");
		return std::nullopt;
	}
	const std::string out_of_range = what + " " + s + " is out of range " + range_text(lo, hi);
	if (s.size() - i > 18) {
		ctx.error(v.mark, v.path, out_of_range);
		return std::nullopt;
	}
	int64_t value = 0;
	for (; i < s.size(); ++i)
		value = value * 10 + (s[i] - '0');
	if (negative)
		value = -value;
	if (value < lo || value > hi) {
		ctx.error(v.mark, v.path, out_of_range);
		return std::nullopt;
	}
	return value;
}

std::optional<Mac> read_mac(Ctx& ctx, const Val& v, bool unicast, const char* what)
{
	if (!want_scalar(ctx, v, "a MAC address"))
		return std::nullopt;
	auto mac = parse_mac(v.node.Scalar());
	if (!mac) {
		ctx.error(
		    v.mark, v.path,
		    quote(v.node.Scalar()) +
		        " is not a MAC address (expected six hex octets, e.g. 02:00:00:00:00:01)");
		return std::nullopt;
	}
	if (unicast && mac_is_multicast(*mac)) {
		ctx.error(v.mark, v.path,
		          std::string(what) + " " + to_string(*mac) +
		              " is a multicast MAC; it must be unicast");
		return std::nullopt;
	}
	return mac;
}

std::optional<IpAddr> read_ip(Ctx& ctx, const Val& v)
{
	if (!want_scalar(ctx, v, "an IP address"))
		return std::nullopt;
	const std::string& s = v.node.Scalar();
	auto a = parse_ip(s);
	if (!a) {
		if (parse_prefix(s))
			ctx.error(v.mark, v.path,
			          quote(s) + " is a prefix; an address is expected here");
		else
			ctx.error(v.mark, v.path, quote(s) + " is not an IP address");
		return std::nullopt;
	}
	return a;
}

// A unicast, specified address (VTEPs, gateways, neighbours, peers).
std::optional<IpAddr> read_host(Ctx& ctx, const Val& v)
{
	auto a = read_ip(ctx, v);
	if (!a)
		return std::nullopt;
	if (ip_is_multicast(*a) || ip_is_unspecified(*a)) {
		ctx.error(v.mark, v.path,
		          to_string(*a) + " is " +
		              (ip_is_multicast(*a) ? "a multicast" : "the unspecified") +
		              " address; a unicast address is expected");
		return std::nullopt;
	}
	return a;
}

std::optional<IpPrefix> read_prefix(Ctx& ctx, const Val& v)
{
	if (!want_scalar(ctx, v, "an IP prefix"))
		return std::nullopt;
	const std::string& s = v.node.Scalar();
	auto p = parse_prefix(s);
	if (!p) {
		if (parse_ip(s))
			ctx.error(v.mark, v.path,
			          quote(s) + " has no prefix length (expected ADDR/LEN, e.g. " + s +
			              (s.find(':') == std::string::npos ? "/24)" : "/64)"));
		else
			ctx.error(
			    v.mark, v.path,
			    quote(s) +
			        " is not an IP prefix (expected ADDR/LEN, e.g. 192.0.2.1/24)");
		return std::nullopt;
	}
	return p;
}

// An interface address: a prefix whose address is a usable host address.
std::optional<IpPrefix> read_if_prefix(Ctx& ctx, const Val& v)
{
	auto p = read_prefix(ctx, v);
	if (!p)
		return std::nullopt;
	if (ip_is_multicast(p->addr) || ip_is_unspecified(p->addr)) {
		ctx.error(v.mark, v.path, to_string(*p) + " does not hold a unicast host address");
		return std::nullopt;
	}
	return p;
}

// A route's destination: host bits must be clear.
std::optional<IpPrefix> read_route_prefix(Ctx& ctx, const Val& v)
{
	auto p = read_prefix(ctx, v);
	if (!p)
		return std::nullopt;
	if (!prefix_is_network(*p)) {
		ctx.error(v.mark, v.path,
		          to_string(*p) + " has host bits set (did you mean " +
		              to_string(prefix_network(*p)) + "?)");
		return std::nullopt;
	}
	return p;
}

const IpAddr& addr_itself(const IpAddr& a)
{
	return a;
}

const IpAddr& addr_of_prefix(const IpPrefix& p)
{
	return p.addr;
}

// ASN:NN or IPv4:NN (route distinguishers and route targets).
bool valid_rd(std::string_view s)
{
	const size_t colon = s.rfind(':');
	if (colon == std::string_view::npos || colon == 0 || colon + 1 >= s.size())
		return false;
	const std::string_view left = s.substr(0, colon), right = s.substr(colon + 1);
	auto number = [](std::string_view t, int64_t max) -> bool {
		if (t.empty() || t.size() > 10)
			return false;
		if (t.size() > 1 && t[0] == '0')
			return false;
		int64_t n = 0;
		for (char c : t) {
			if (c < '0' || c > '9')
				return false;
			n = n * 10 + (c - '0');
		}
		return n <= max;
	};
	if (left.find('.') != std::string_view::npos) {
		auto a = parse_ip(left);
		return a && !a->v6 && number(right, 65535);
	}
	if (!number(left, kU32Max))
		return false;
	int64_t asn = 0;
	for (char c : left)
		asn = asn * 10 + (c - '0');
	return number(right, asn <= 65535 ? kU32Max : 65535);
}

}  // namespace tsunagi::config::load
