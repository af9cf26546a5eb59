// The YAML loader and validator (DESIGN.md §5).
//
// Two passes. The first walks the document along the schema: every mapping is
// iterated pair by pair (yaml-cpp keeps duplicate keys, so they are found here),
// unknown keys are reported, and every scalar is parsed strictly into the model.
// Fields that parsed are recorded (with their marks) in Fields; the second pass
// only cross-checks fields that parsed, so one bad value yields one message and
// not a cascade. Nothing stops at the first error.
#include "common/config/loader.hpp"

#include "common/config/yaml_syntax.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <sys/stat.h>

namespace tsunagi::config {

std::string Error::to_string() const
{
	if (line <= 0)
		return file + ": " + message;
	return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

namespace {

constexpr size_t kMaxErrors = 10000;
constexpr const char* kDash = "\xe2\x80\x93";  // en dash, as in "1–4094"
constexpr int64_t kU32Max = 4294967295LL;

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

bool valid_name(std::string_view s, size_t max_len = 31)
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

// ---------------------------------------------------------------------------------

class Ctx {
public:
	explicit Ctx(std::string file) : file_(std::move(file)) {}

	void error(Mark at, const std::string& path, const std::string& message)
	{
		if (errors_.size() >= kMaxErrors) {
			truncated_ = true;
			return;
		}
		// A message can quote the file's own bytes (the parser's, a key's): a NUL or an
		// escape sequence must not cut or colour the log line it ends up in.
		errors_.push_back(Error{file_, at.line, at.column,
		                        printable(path.empty() ? message : path + ": " + message)});
	}

	std::vector<Error> take()
	{
		std::stable_sort(
		    errors_.begin(), errors_.end(), [](const Error& a, const Error& b) {
			    return a.line != b.line ? a.line < b.line : a.column < b.column;
		    });
		if (truncated_)
			errors_.push_back(Error{file_, 0, 0,
			                        "too many errors; only the first " +
			                            std::to_string(kMaxErrors) + " are shown"});
		return std::move(errors_);
	}

	const std::string& file() const { return file_; }
	size_t count() const { return errors_.size(); }

private:
	std::string file_;
	std::vector<Error> errors_;
	bool truncated_ = false;
};

// A value in the document: its node, where it is and its key path.
struct Val {
	YAML::Node node;
	Mark mark;
	std::string path;
};

struct Entry {
	std::string key;
	Mark key_mark;
	Val val;
};

struct Map {
	Mark mark;
	std::string path;
	std::vector<Entry> entries;  // first occurrence of each allowed key, in order

	const Entry* get(std::string_view key) const
	{
		for (const auto& e : entries)
			if (e.key == key)
				return &e;
		return nullptr;
	}
	bool has(std::string_view key) const { return get(key) != nullptr; }
};

// Which fields of an item parsed, and where they are.
struct Fields {
	std::string path;
	Mark mark;
	std::map<std::string, Mark, std::less<>> ok;

	bool has(std::string_view k) const { return ok.find(k) != ok.end(); }
	Mark at(std::string_view k) const
	{
		auto it = ok.find(k);
		return it == ok.end() ? mark : it->second;
	}
	std::string p(std::string_view k) const { return join(path, k); }
	void set(std::string_view k, Mark m) { ok.emplace(std::string(k), m); }
};

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

std::optional<Mac> read_mac(Ctx& ctx, const Val& v, bool unicast, const char* what = "MAC")
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

// Up to one IPv4 and one IPv6 value, as a scalar or a list.
template <class T, class Reader, class AddrOf>
std::vector<std::pair<T, Val>> read_per_family(Ctx& ctx, const Val& v, Reader reader,
                                               AddrOf addr_of)
{
	std::vector<std::pair<T, Val>> out;
	for (const Val& e : read_scalar_or_list(ctx, v)) {
		auto value = reader(ctx, e);
		if (!value)
			continue;
		const IpAddr& a = addr_of(*value);
		auto same = std::find_if(out.begin(), out.end(), [&](const auto& o) {
			return addr_of(o.first).v6 == a.v6;
		});
		if (same != out.end()) {
			ctx.error(e.mark, e.path,
			          std::string("a second ") + family(a) + " value (first " +
			              line_ref(same->second.mark) +
			              "); give at most one IPv4 and one IPv6 value");
			continue;
		}
		out.emplace_back(*value, e);
	}
	return out;
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

// Reports a value that must be unique, at every place it occurs.
class Unique {
public:
	explicit Unique(Ctx& ctx) : ctx_(ctx) {}
	// what: "VNI 100001"; owner: how the other place is named, e.g. tenant "cust-0001".
	void add(const std::string& key, const std::string& what, Mark at, const std::string& path,
	         const std::string& owner)
	{
		auto [it, inserted] = seen_.try_emplace(key, Occ{at, path, owner});
		if (inserted)
			return;
		const Occ& first = it->second;
		ctx_.error(
		    at, path,
		    what + " is already used by " + first.owner + " " + line_ref(first.mark));
		ctx_.error(first.mark, first.path,
		           what + " is also used by " + owner + " " + line_ref(at));
	}

private:
	struct Occ {
		Mark mark;
		std::string path;
		std::string owner;
	};
	Ctx& ctx_;
	std::map<std::string, Occ> seen_;
};

// ---------------------------------------------------------------------------------
// Pass 1: structure and values.

struct NodeAux {
	Fields f;
	std::vector<Val> vteps;  // parallel to node.vteps
};

struct PortAux {
	Fields f;
	std::vector<Val> addresses;  // parallel to port.addresses
	std::vector<Val> gateways;   // parallel to port.gateways
	bool has_address_key = false;
	bool address_error = false;  // some address did not parse (and was reported)
	Mark address_mark, gateway_mark;
	bool has_gateway_key = false;
};

struct TenantAux {
	Fields f;
	std::vector<Fields> attachments;
	std::vector<Val> vteps;
	std::vector<Fields> static_macs;
	Fields vrf;
	std::vector<Val> vrf_gateways;
	std::vector<Fields> routes;
};

struct PeerAux {
	Fields f;
	std::vector<Val> tenants;
	std::vector<Fields> vrfs;
	std::vector<Fields> routes;
	std::vector<std::vector<Val>> route_labels;
	std::vector<std::string> option_b_keys_given;  // keys only Option B takes
	bool vrfs_given = false;
};

struct Parsed {
	Config cfg;
	NodeAux node;
	std::vector<PortAux> ports;
	std::vector<Fields> neighbors;
	std::vector<TenantAux> tenants;
	std::vector<PeerAux> peers;
};

template <class T>
bool take(std::optional<T> v, Fields& f, std::string_view key, const Val& at,
          std::function<void(const T&)> store)
{
	if (!v)
		return false;
	store(*v);
	f.set(key, at.mark);
	return true;
}

void parse_node(Ctx& ctx, const Val& v, Parsed& out)
{
	auto m = read_map(ctx, v,
	                  {"name", "asn", "router_id", "router_mac", "vtep", "runtime_dir", "group",
	                   "mac_aging", "metrics", "eal"});
	if (!m)
		return;
	Node& node = out.cfg.node;
	Fields& f = out.node.f;
	f = fields_of(*m);
	node.mark = m->mark;

	if (auto* e = require(ctx, *m, "name")) {
		if (auto s = read_string(ctx, e->val)) {
			if (!valid_name(*s, 63))
				ctx.error(e->val.mark, e->val.path,
				          "node name " + quote(*s) + " must be 1" + kDash +
				              "63 characters of letters, digits, '_', '.' and '-'");
			else
				take<std::string>(s, f, "name", e->val,
				                  [&](auto& x) { node.name = x; });
		}
	}
	if (auto* e = require(ctx, *m, "asn"))
		take<int64_t>(read_int(ctx, e->val, "ASN", 1, kU32Max), f, "asn", e->val,
		              [&](auto& x) { node.asn = static_cast<uint32_t>(x); });
	if (auto* e = require(ctx, *m, "router_id")) {
		if (auto a = read_ip(ctx, e->val)) {
			if (a->v6 || ip_is_unspecified(*a))
				ctx.error(e->val.mark, e->val.path,
				          "router_id must be a non-zero IPv4 address, got " +
				              to_string(*a));
			else
				take<IpAddr>(a, f, "router_id", e->val,
				             [&](auto& x) { node.router_id = x; });
		}
	}
	if (auto* e = m->get("router_mac"))
		take<Mac>(read_mac(ctx, e->val, true, "router_mac"), f, "router_mac", e->val,
		          [&](auto& x) { node.router_mac = x; });
	if (auto* e = m->get("vtep")) {
		f.set("vtep_key", e->val.mark);
		for (auto& [a, at] : read_per_family<IpAddr>(ctx, e->val, read_host, addr_itself)) {
			node.vteps.push_back(a);
			out.node.vteps.push_back(at);
		}
	}
	if (auto* e = m->get("runtime_dir")) {
		if (auto s = read_string(ctx, e->val)) {
			if (const std::string why = runtime_dir_problem(*s); !why.empty())
				ctx.error(e->val.mark, e->val.path,
				          "runtime_dir " + quote(*s) + " " + why);
			else
				node.runtime_dir = *s;
		}
	}
	if (auto* e = m->get("group")) {
		if (auto s = read_string(ctx, e->val)) {
			// Whether the group exists is the daemons' to check, on the machine they
			// run on.
			if (!valid_name(*s, 32))
				ctx.error(e->val.mark, e->val.path,
				          "group " + quote(*s) + " must be 1" + kDash +
				              "32 characters of letters, digits, '_', '.' and '-'");
			else
				node.group = *s;
		}
	}
	if (auto* e = m->get("mac_aging"))
		take<int64_t>(read_int(ctx, e->val, "mac_aging", 1, 86400), f, "mac_aging", e->val,
		              [&](auto& x) { node.mac_aging_s = static_cast<uint32_t>(x); });
	if (auto* e = m->get("metrics")) {
		if (auto s = read_string(ctx, e->val)) {
			bool ok = false;
			std::string_view t = *s, host, port;
			if (!t.empty() && t[0] == '[') {
				const size_t close = t.find("]:");
				if (close != std::string_view::npos) {
					host = t.substr(1, close - 1);
					port = t.substr(close + 2);
				}
			} else if (const size_t colon = t.rfind(':');
			           colon != std::string_view::npos) {
				host = t.substr(0, colon);
				port = t.substr(colon + 1);
			}
			auto a = parse_ip(host);
			if (a && a->v6 == (t[0] == '[') && !port.empty() && port.size() <= 5 &&
			    port[0] != '0' &&
			    std::all_of(port.begin(), port.end(),
			                [](char c) { return c >= '0' && c <= '9'; }) &&
			    std::stoi(std::string(port)) <= 65535)
				ok = true;
			if (ok)
				node.metrics_address = *s;
			else
				ctx.error(
				    e->val.mark, e->val.path,
				    quote(*s) +
				        " is not ADDR:PORT (e.g. 127.0.0.1:9469 or [::1]:9469)");
		}
	}
	if (auto* e = m->get("eal")) {
		if (auto em = read_map(ctx, e->val, {"lcores", "memory", "args"})) {
			Eal eal;
			if (auto* l = em->get("lcores"))
				if (auto s = read_string(ctx, l->val))
					eal.lcores = *s;
			if (auto* l = em->get("memory"))
				if (auto n = read_int(ctx, l->val, "memory (MB)", 1, 1048576))
					eal.memory_mb = static_cast<uint32_t>(*n);
			if (auto* l = em->get("args"))
				if (auto items = read_list(ctx, l->val))
					for (const Val& a : *items)
						if (auto s = read_string(ctx, a))
							eal.args.push_back(*s);
			node.eal = eal;
		}
	}
}

const std::map<std::string, PortRole, std::less<>> kRoles = {
    {"access", PortRole::access},
    {"trunk", PortRole::trunk},
    {"underlay", PortRole::underlay},
    {"interconnect", PortRole::interconnect},
};

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

void parse_ports(Ctx& ctx, const Val& v, Parsed& out)
{
	auto items = read_list(ctx, v);
	if (!items)
		return;
	for (const Val& iv : *items) {
		auto m = read_map(ctx, iv,
		                  {"name", "role", "device", "mac", "address", "gateway", "mtu"});
		if (!m)
			continue;
		Port port;
		PortAux aux;
		aux.f = fields_of(*m);
		port.mark = m->mark;
		if (auto* e = require(ctx, *m, "name")) {
			if (auto s = read_string(ctx, e->val)) {
				if (!valid_name(*s))
					ctx.error(e->val.mark, e->val.path,
					          "port name " + quote(*s) + " must be 1" + kDash +
					              "31 characters of letters, digits, '_', '.' "
					              "and '-'");
				else
					take<std::string>(s, aux.f, "name", e->val,
					                  [&](auto& x) { port.name = x; });
			}
		}
		if (auto* e = require(ctx, *m, "role")) {
			if (want_scalar(ctx, e->val, "a role")) {
				auto it = kRoles.find(e->val.node.Scalar());
				if (it == kRoles.end()) {
					std::vector<std::string> names;
					for (auto& [k, r] : kRoles)
						names.push_back(k);
					ctx.error(e->val.mark, e->val.path,
					          "unknown role " + quote(e->val.node.Scalar()) +
					              suggestion(e->val.node.Scalar(), names) +
					              "; expected access, trunk, underlay or "
					              "interconnect");
				} else {
					port.role = it->second;
					aux.f.set("role", e->val.mark);
				}
			}
		}
		if (auto* e = require(ctx, *m, "device")) {
			auto s = read_string(ctx, e->val);
			if (s && !valid_device(*s)) {
				ctx.error(
				    e->val.mark, e->val.path,
				    "device " + quote(*s) +
				        " is not a DPDK device: a PCI address (0000:3b:00.0) or a "
				        "virtual device with its arguments "
				        "(net_af_packet0,iface=veth0), at most 255 of letters, "
				        "digits and _ . : , = / + - @ % [ ]");
				s.reset();
			}
			take<std::string>(s, aux.f, "device", e->val,
			                  [&](auto& x) { port.device = x; });
		}
		if (auto* e = m->get("mac"))
			take<Mac>(read_mac(ctx, e->val, true, "port MAC"), aux.f, "mac", e->val,
			          [&](auto& x) { port.mac = x; });
		if (auto* e = m->get("address")) {
			aux.has_address_key = true;
			aux.address_mark = e->val.mark;
			const size_t before = ctx.count();
			for (auto& [p, at] : read_per_family<IpPrefix>(ctx, e->val, read_if_prefix,
			                                               addr_of_prefix)) {
				port.addresses.push_back(p);
				aux.addresses.push_back(at);
			}
			aux.address_error = ctx.count() != before;
		}
		if (auto* e = m->get("gateway")) {
			aux.has_gateway_key = true;
			aux.gateway_mark = e->val.mark;
			for (auto& [a, at] :
			     read_per_family<IpAddr>(ctx, e->val, read_host, addr_itself)) {
				port.gateways.push_back(a);
				aux.gateways.push_back(at);
			}
		}
		if (auto* e = m->get("mtu"))
			take<int64_t>(read_int(ctx, e->val, "MTU", 68, 9216), aux.f, "mtu", e->val,
			              [&](auto& x) { port.mtu = static_cast<uint32_t>(x); });
		out.cfg.ports.push_back(std::move(port));
		out.ports.push_back(std::move(aux));
	}
}

void parse_neighbors(Ctx& ctx, const Val& v, Parsed& out)
{
	auto items = read_list(ctx, v);
	if (!items)
		return;
	for (const Val& iv : *items) {
		auto m = read_map(ctx, iv, {"port", "vlan", "tenant", "address", "mac"});
		if (!m)
			continue;
		Neighbor n;
		Fields f = fields_of(*m);
		n.mark = m->mark;
		const bool has_port = m->has("port"), has_tenant = m->has("tenant");
		if (has_port && has_tenant)
			ctx.error(m->mark, m->path,
			          "give either port (an underlay or interconnect neighbour) or "
			          "tenant (a host "
			          "in a tenant segment), not both");
		else if (!has_port && !has_tenant)
			ctx.error(m->mark, m->path, "missing required key \"port\" or \"tenant\"");
		if (auto* e = m->get("port"))
			take<std::string>(read_string(ctx, e->val), f, "port", e->val,
			                  [&](auto& x) { n.port = x; });
		if (auto* e = m->get("tenant"))
			take<std::string>(read_string(ctx, e->val), f, "tenant", e->val,
			                  [&](auto& x) { n.tenant = x; });
		if (auto* e = m->get("vlan")) {
			if (!has_port)
				ctx.error(e->key_mark, e->val.path,
				          "vlan is only for a neighbour on a port");
			else if (!take<int64_t>(
			             read_int(ctx, e->val, "VLAN", 1, 4094), f, "vlan", e->val,
			             [&](auto& x) { n.vlan = static_cast<uint16_t>(x); }))
				f.set("vlan_bad", e->val.mark);
		}
		if (auto* e = require(ctx, *m, "address"))
			take<IpAddr>(read_host(ctx, e->val), f, "address", e->val,
			             [&](auto& x) { n.address = x; });
		if (auto* e = require(ctx, *m, "mac"))
			take<Mac>(read_mac(ctx, e->val, true, "neighbour MAC"), f, "mac", e->val,
			          [&](auto& x) { n.mac = x; });
		out.cfg.neighbors.push_back(std::move(n));
		out.neighbors.push_back(std::move(f));
	}
}

void parse_vrf(Ctx& ctx, const Val& v, Tenant& t, TenantAux& aux)
{
	auto m = read_map(ctx, v, {"label", "rd", "route_targets", "gateway", "static_routes"});
	if (!m)
		return;
	Vrf vrf;
	vrf.mark = m->mark;
	aux.vrf = fields_of(*m);
	Fields& f = aux.vrf;
	if (auto* e = m->get("label"))
		// From 983040 up, labels are this node's automatic ones (compile/vrf_plan.hpp).
		take<int64_t>(read_int(ctx, e->val, "label", 16, 983039), f, "label", e->val,
		              [&](auto& x) { vrf.label = static_cast<uint32_t>(x); });
	auto read_rd = [&](const Val& rv) -> std::optional<std::string> {
		auto s = read_string(ctx, rv);
		if (!s)
			return std::nullopt;
		if (!valid_rd(*s)) {
			ctx.error(
			    rv.mark, rv.path,
			    quote(*s) + " is not ASN:NN or IPv4:NN (e.g. 65000:1 or 192.0.2.1:1)");
			return std::nullopt;
		}
		return s;
	};
	if (auto* e = require(ctx, *m, "rd"))
		take<std::string>(read_rd(e->val), f, "rd", e->val, [&](auto& x) { vrf.rd = x; });
	if (auto* e = m->get("route_targets")) {
		if (auto rm = read_map(ctx, e->val, {"import", "export"})) {
			for (const char* dir : {"import", "export"}) {
				auto* d = rm->get(dir);
				if (d == nullptr)
					continue;
				auto& dest = std::string_view(dir) == "import" ? vrf.import_rts
				                                               : vrf.export_rts;
				if (d->val.node.IsScalar()) {
					if (auto s = read_rd(d->val))
						dest.push_back(*s);
				} else if (auto items = read_list(ctx, d->val)) {
					for (const Val& rv : *items)
						if (auto s = read_rd(rv))
							dest.push_back(*s);
				}
			}
		}
	}
	if (auto* e = m->get("gateway")) {
		for (const Val& gv : read_scalar_or_list(ctx, e->val)) {
			if (auto p = read_if_prefix(ctx, gv)) {
				vrf.gateways.push_back(*p);
				aux.vrf_gateways.push_back(gv);
			}
		}
	}
	if (auto* e = m->get("static_routes")) {
		if (auto items = read_list(ctx, e->val)) {
			for (const Val& rv : *items) {
				auto rm = read_map(ctx, rv, {"prefix", "via"});
				if (!rm)
					continue;
				StaticRoute r;
				Fields rf = fields_of(*rm);
				r.mark = rm->mark;
				if (auto* x = require(ctx, *rm, "prefix"))
					take<IpPrefix>(read_route_prefix(ctx, x->val), rf, "prefix",
					               x->val, [&](auto& p) { r.prefix = p; });
				if (auto* x = require(ctx, *rm, "via"))
					take<IpAddr>(read_host(ctx, x->val), rf, "via", x->val,
					             [&](auto& a) { r.via = a; });
				vrf.static_routes.push_back(r);
				aux.routes.push_back(std::move(rf));
			}
		}
	}
	t.vrf = std::move(vrf);
}

void parse_tenants(Ctx& ctx, const Val& v, Parsed& out)
{
	auto items = read_list(ctx, v);
	if (!items)
		return;
	for (const Val& iv : *items) {
		auto m = read_map(ctx, iv,
		                  {"name", "vni", "hybrid_vlan", "attachments", "vteps",
		                   "mac_limit", "static_macs", "vrf"});
		if (!m)
			continue;
		Tenant t;
		TenantAux aux;
		aux.f = fields_of(*m);
		Fields& f = aux.f;
		t.mark = m->mark;
		if (auto* e = require(ctx, *m, "name")) {
			if (auto s = read_string(ctx, e->val)) {
				if (!valid_name(*s))
					ctx.error(e->val.mark, e->val.path,
					          "tenant name " + quote(*s) + " must be 1" +
					              kDash +
					              "31 characters of letters, digits, '_', '.' "
					              "and '-'");
				else
					take<std::string>(s, f, "name", e->val,
					                  [&](auto& x) { t.name = x; });
			}
		}
		if (auto* e = require(ctx, *m, "vni"))
			take<int64_t>(read_int(ctx, e->val, "VNI", 1, 16777215), f, "vni", e->val,
			              [&](auto& x) { t.vni = static_cast<uint32_t>(x); });
		if (auto* e = require(ctx, *m, "hybrid_vlan"))
			take<int64_t>(read_int(ctx, e->val, "VLAN", 1, 4094), f, "hybrid_vlan",
			              e->val,
			              [&](auto& x) { t.hybrid_vlan = static_cast<uint16_t>(x); });
		if (auto* e = m->get("attachments")) {
			if (auto list = read_list(ctx, e->val)) {
				for (const Val& av : *list) {
					auto am = read_map(ctx, av, {"port", "vlan", "inner_vlan"});
					if (!am)
						continue;
					Attachment a;
					Fields af = fields_of(*am);
					a.mark = am->mark;
					if (auto* x = require(ctx, *am, "port"))
						take<std::string>(read_string(ctx, x->val), af,
						                  "port", x->val,
						                  [&](auto& s) { a.port = s; });
					if (auto* x = require(ctx, *am, "vlan"))
						take<int64_t>(
						    read_int(ctx, x->val, "VLAN", 1, 4094), af,
						    "vlan", x->val, [&](auto& n) {
							    a.vlan = static_cast<uint16_t>(n);
						    });
					if (auto* x = am->get("inner_vlan"))
						take<int64_t>(
						    read_int(ctx, x->val, "VLAN", 1, 4094), af,
						    "inner_vlan", x->val, [&](auto& n) {
							    a.inner_vlan = static_cast<uint16_t>(n);
						    });
					else
						af.set("inner_vlan",
						       am->mark);  // absent: single tag, which is
						                   // valid
					t.attachments.push_back(a);
					aux.attachments.push_back(std::move(af));
				}
			}
		}
		if (auto* e = m->get("vteps")) {
			if (auto list = read_list(ctx, e->val)) {
				for (const Val& tv : *list) {
					if (auto a = read_host(ctx, tv)) {
						t.vteps.push_back(*a);
						aux.vteps.push_back(tv);
					}
				}
			}
		}
		if (auto* e = m->get("mac_limit"))
			take<int64_t>(read_int(ctx, e->val, "mac_limit", 0, kU32Max), f,
			              "mac_limit", e->val,
			              [&](auto& x) { t.mac_limit = static_cast<uint32_t>(x); });
		if (auto* e = m->get("static_macs")) {
			if (auto list = read_list(ctx, e->val)) {
				for (const Val& sv : *list) {
					auto sm = read_map(
					    ctx, sv, {"mac", "port", "vlan", "inner_vlan", "vtep"});
					if (!sm)
						continue;
					StaticMac s;
					Fields sf = fields_of(*sm);
					s.mark = sm->mark;
					bool ok = true;
					if (auto* x = require(ctx, *sm, "mac"))
						ok &= take<Mac>(
						    read_mac(ctx, x->val, true, "static MAC"), sf,
						    "mac", x->val, [&](auto& mac) { s.mac = mac; });
					else
						ok = false;
					if (auto* x = sm->get("port"))
						ok &= take<std::string>(
						    read_string(ctx, x->val), sf, "port", x->val,
						    [&](auto& p) { s.port = p; });
					if (auto* x = sm->get("vlan"))
						ok &= take<int64_t>(
						    read_int(ctx, x->val, "VLAN", 1, 4094), sf,
						    "vlan", x->val, [&](auto& n) {
							    s.vlan = static_cast<uint16_t>(n);
						    });
					if (auto* x = sm->get("inner_vlan"))
						ok &= take<int64_t>(
						    read_int(ctx, x->val, "VLAN", 1, 4094), sf,
						    "inner_vlan", x->val, [&](auto& n) {
							    s.inner_vlan = static_cast<uint16_t>(n);
						    });
					if (auto* x = sm->get("vtep"))
						ok &= take<IpAddr>(read_host(ctx, x->val), sf,
						                   "vtep", x->val,
						                   [&](auto& a) { s.vtep = a; });
					const bool port = sm->has("port"), vtep = sm->has("vtep");
					if (port && vtep) {
						ctx.error(sm->mark, sm->path,
						          "give either port or vtep, not both");
						ok = false;
					} else if (!port && !vtep) {
						ctx.error(sm->mark, sm->path,
						          "missing required key \"port\" (with "
						          "vlan for an access port) or "
						          "\"vtep\"");
						ok = false;
					} else if (vtep &&
					           (sm->has("vlan") || sm->has("inner_vlan"))) {
						ctx.error(sm->mark, sm->path,
						          "vlan and inner_vlan go with port, not "
						          "with vtep");
						ok = false;
					}
					if (sm->has("inner_vlan") && !sm->has("vlan")) {
						ctx.error(sm->mark, sm->path,
						          "inner_vlan needs vlan");
						ok = false;
					}
					if (ok)
						sf.set("valid", sm->mark);
					t.static_macs.push_back(s);
					aux.static_macs.push_back(std::move(sf));
				}
			}
		}
		if (auto* e = m->get("vrf"))
			parse_vrf(ctx, e->val, t, aux);
		out.cfg.tenants.push_back(std::move(t));
		out.tenants.push_back(std::move(aux));
	}
}

void parse_peers(Ctx& ctx, const Val& v, Parsed& out)
{
	auto items = read_list(ctx, v);
	if (!items)
		return;
	for (const Val& iv : *items) {
		auto m = read_map(ctx, iv,
		                  {"name", "option", "port", "asn", "address", "tenants",
		                   "static_vpn_routes", "vrfs"});
		if (!m)
			continue;
		Peer p;
		PeerAux aux;
		aux.f = fields_of(*m);
		Fields& f = aux.f;
		p.mark = m->mark;
		if (auto* e = require(ctx, *m, "name")) {
			if (auto s = read_string(ctx, e->val)) {
				if (!valid_name(*s))
					ctx.error(e->val.mark, e->val.path,
					          "peer name " + quote(*s) + " must be 1" + kDash +
					              "31 characters of letters, digits, '_', '.' "
					              "and '-'");
				else
					take<std::string>(s, f, "name", e->val,
					                  [&](auto& x) { p.name = x; });
			}
		}
		if (auto* e = require(ctx, *m, "option")) {
			if (want_scalar(ctx, e->val, "A or B")) {
				const std::string& s = e->val.node.Scalar();
				if (s == "A" || s == "B") {
					p.option = s == "A" ? PeerOption::A : PeerOption::B;
					f.set("option", e->val.mark);
				} else {
					ctx.error(e->val.mark, e->val.path,
					          "option " + quote(s) +
					              " is not A or B (inter-AS Option A or B)");
				}
			}
		}
		if (auto* e = require(ctx, *m, "port"))
			take<std::string>(read_string(ctx, e->val), f, "port", e->val,
			                  [&](auto& x) { p.port = x; });
		if (auto* e = require(ctx, *m, "asn"))
			take<int64_t>(read_int(ctx, e->val, "ASN", 1, kU32Max), f, "asn", e->val,
			              [&](auto& x) { p.asn = static_cast<uint32_t>(x); });
		if (auto* e = m->get("address")) {
			aux.option_b_keys_given.push_back("address");
			take<IpAddr>(read_host(ctx, e->val), f, "address", e->val,
			             [&](auto& x) { p.address = x; });
		}
		if (auto* e = m->get("tenants")) {
			aux.option_b_keys_given.push_back("tenants");
			if (auto list = read_list(ctx, e->val)) {
				for (const Val& tv : *list) {
					if (auto s = read_string(ctx, tv)) {
						p.tenants.push_back(*s);
						aux.tenants.push_back(tv);
					}
				}
			}
		}
		if (auto* e = m->get("static_vpn_routes")) {
			aux.option_b_keys_given.push_back("static_vpn_routes");
			if (auto list = read_list(ctx, e->val)) {
				for (const Val& rv : *list) {
					auto rm = read_map(ctx, rv, {"tenant", "prefix", "labels"});
					if (!rm)
						continue;
					StaticVpnRoute r;
					Fields rf = fields_of(*rm);
					std::vector<Val> label_vals;
					r.mark = rm->mark;
					if (auto* x = require(ctx, *rm, "tenant"))
						take<std::string>(read_string(ctx, x->val), rf,
						                  "tenant", x->val,
						                  [&](auto& s) { r.tenant = s; });
					if (auto* x = require(ctx, *rm, "prefix"))
						take<IpPrefix>(read_route_prefix(ctx, x->val), rf,
						               "prefix", x->val,
						               [&](auto& pf) { r.prefix = pf; });
					if (auto* x = require(ctx, *rm, "labels")) {
						if (auto labels = read_list(ctx, x->val)) {
							if (labels->empty())
								ctx.error(
								    x->val.mark, x->val.path,
								    "needs at least one label");
							for (const Val& lv : *labels) {
								if (auto n =
								        read_int(ctx, lv, "label",
								                 16, 1048575)) {
									r.labels.push_back(
									    static_cast<uint32_t>(
									        *n));
									label_vals.push_back(lv);
								}
							}
						}
					}
					p.static_vpn_routes.push_back(r);
					aux.routes.push_back(std::move(rf));
					aux.route_labels.push_back(std::move(label_vals));
				}
			}
		}
		if (auto* e = m->get("vrfs")) {
			aux.vrfs_given = true;
			if (auto list = read_list(ctx, e->val)) {
				for (const Val& av : *list) {
					auto am = read_map(
					    ctx, av, {"tenant", "vlan", "address", "neighbor"});
					if (!am)
						continue;
					OptionAVrf a;
					Fields af = fields_of(*am);
					a.mark = am->mark;
					if (auto* x = require(ctx, *am, "tenant"))
						take<std::string>(read_string(ctx, x->val), af,
						                  "tenant", x->val,
						                  [&](auto& s) { a.tenant = s; });
					if (auto* x = require(ctx, *am, "vlan"))
						take<int64_t>(
						    read_int(ctx, x->val, "VLAN", 1, 4094), af,
						    "vlan", x->val, [&](auto& n) {
							    a.vlan = static_cast<uint16_t>(n);
						    });
					if (auto* x = require(ctx, *am, "address"))
						take<IpPrefix>(read_if_prefix(ctx, x->val), af,
						               "address", x->val,
						               [&](auto& pf) { a.address = pf; });
					if (auto* x = require(ctx, *am, "neighbor"))
						take<IpAddr>(read_host(ctx, x->val), af, "neighbor",
						             x->val,
						             [&](auto& n) { a.neighbor = n; });
					p.vrfs.push_back(a);
					aux.vrfs.push_back(std::move(af));
				}
			}
		}
		if (f.has("option")) {
			if (p.option == PeerOption::A) {
				for (const auto& k : aux.option_b_keys_given) {
					const Entry* e = m->get(k);
					ctx.error(
					    e->key_mark, e->val.path,
					    quote(k) +
					        " is for an Option B peer; this peer is Option A");
				}
				if (!aux.vrfs_given)
					ctx.error(m->mark, m->path,
					          "missing required key \"vrfs\" (Option A)");
			} else {
				if (aux.vrfs_given) {
					const Entry* e = m->get("vrfs");
					ctx.error(e->key_mark, e->val.path,
					          "\"vrfs\" is for an Option A peer; this peer is "
					          "Option B");
				}
				if (!m->has("address"))
					ctx.error(m->mark, m->path,
					          "missing required key \"address\" (Option B)");
			}
		}
		out.cfg.peers.push_back(std::move(p));
		out.peers.push_back(std::move(aux));
	}
}

// ---------------------------------------------------------------------------------
// Pass 2: references and uniqueness.

class Checker {
public:
	Checker(Ctx& ctx, Parsed& p) : ctx_(ctx), p_(p) {}

	void run()
	{
		index();
		check_node();
		check_ports();
		check_tenants();
		check_peers();
		check_neighbors();  // after peers: a neighbour on an Option-A VLAN refers to them
	}

private:
	Ctx& ctx_;
	Parsed& p_;
	std::map<std::string, size_t, std::less<>> ports_, tenants_;
	std::vector<std::string> port_names_, tenant_names_;
	// (port, vlan) of Option-A sub-interfaces -> the vrf entry
	std::map<std::pair<std::string, uint16_t>, const OptionAVrf*> option_a_;

	void index()
	{
		Unique names(ctx_), devices(ctx_);
		for (size_t i = 0; i < p_.cfg.ports.size(); ++i) {
			const Port& port = p_.cfg.ports[i];
			const Fields& f = p_.ports[i].f;
			if (f.has("name")) {
				names.add(port.name, "port name " + quote(port.name), f.at("name"),
				          f.p("name"), f.path);
				ports_.try_emplace(port.name, i);
				port_names_.push_back(port.name);
			}
			if (f.has("device"))
				devices.add(port.device, "device " + quote(port.device),
				            f.at("device"), f.p("device"),
				            "port " + quote(port.name));
		}
		Unique tnames(ctx_);
		for (size_t i = 0; i < p_.cfg.tenants.size(); ++i) {
			const Tenant& t = p_.cfg.tenants[i];
			const Fields& f = p_.tenants[i].f;
			if (!f.has("name"))
				continue;
			tnames.add(t.name, "tenant name " + quote(t.name), f.at("name"),
			           f.p("name"), f.path);
			tenants_.try_emplace(t.name, i);
			tenant_names_.push_back(t.name);
		}
		Unique pnames(ctx_);
		for (size_t i = 0; i < p_.cfg.peers.size(); ++i) {
			const Fields& f = p_.peers[i].f;
			if (f.has("name"))
				pnames.add(p_.cfg.peers[i].name,
				           "peer name " + quote(p_.cfg.peers[i].name), f.at("name"),
				           f.p("name"), f.path);
		}
	}

	// The port named at f[key], or nullptr after reporting it unknown.
	const Port* port(const Fields& f, std::string_view key, const std::string& name)
	{
		auto it = ports_.find(name);
		if (it != ports_.end())
			return &p_.cfg.ports[it->second];
		ctx_.error(f.at(key), f.p(key),
		           "unknown port " + quote(name) + suggestion(name, port_names_));
		return nullptr;
	}
	const Tenant* tenant(Mark at, const std::string& path, const std::string& name)
	{
		auto it = tenants_.find(name);
		if (it != tenants_.end())
			return &p_.cfg.tenants[it->second];
		ctx_.error(at, path,
		           "unknown tenant " + quote(name) + suggestion(name, tenant_names_));
		return nullptr;
	}
	const PortAux& aux_of(const Port* port) const
	{
		return p_.ports[static_cast<size_t>(port - p_.cfg.ports.data())];
	}

	// An address that must lie inside one of `subnets` (a port's addresses, a VRF's gateways).
	bool check_inside(Mark at, const std::string& path, const IpAddr& a,
	                  const std::vector<IpPrefix>& subnets, const std::string& where)
	{
		bool any_family = false;
		for (const auto& s : subnets) {
			if (s.addr.v6 != a.v6)
				continue;
			any_family = true;
			if (s.addr == a) {
				ctx_.error(at, path,
				           to_string(a) + " is " + where + "'s own address");
				return false;
			}
			if (prefix_contains(s, a))
				return true;
		}
		if (!any_family) {
			ctx_.error(at, path,
			           to_string(a) + " is " + family(a) + " but " + where +
			               " has no " + family(a) + " address");
			return false;
		}
		std::string list;
		for (const auto& s : subnets)
			if (s.addr.v6 == a.v6)
				list += (list.empty() ? "" : ", ") + to_string(s);
		ctx_.error(at, path,
		           to_string(a) + " is not inside " + where + "'s subnet " + list);
		return false;
	}

	void check_node()
	{
		const Node& node = p_.cfg.node;
		const NodeAux& aux = p_.node;
		for (size_t i = 0; i < node.vteps.size(); ++i) {
			bool found = false;
			for (const Port& port : p_.cfg.ports) {
				if (port.role != PortRole::underlay)
					continue;
				for (const auto& a : port.addresses)
					if (a.addr == node.vteps[i])
						found = true;
			}
			if (!found)
				ctx_.error(aux.vteps[i].mark, aux.vteps[i].path,
				           "VTEP " + to_string(node.vteps[i]) +
				               " is not the address of any underlay port");
		}
		if (!aux.f.has("vtep_key") && aux.f.path == "node") {
			for (size_t i = 0; i < p_.cfg.tenants.size(); ++i) {
				if (p_.cfg.tenants[i].vteps.empty())
					continue;
				ctx_.error(aux.f.mark, aux.f.path,
				           "missing required key \"vtep\" (tenant " +
				               quote(p_.cfg.tenants[i].name) +
				               " has vteps, which need a VXLAN source address)");
				break;
			}
		}
	}

	void check_ports()
	{
		Unique addresses(ctx_);
		for (size_t i = 0; i < p_.cfg.ports.size(); ++i) {
			const Port& port = p_.cfg.ports[i];
			const PortAux& aux = p_.ports[i];
			const std::string owner = "port " + quote(port.name);
			for (size_t k = 0; k < port.addresses.size(); ++k)
				addresses.add(to_string(port.addresses[k].addr),
				              "address " + to_string(port.addresses[k].addr),
				              aux.addresses[k].mark, aux.addresses[k].path, owner);
			if (!aux.f.has("role"))
				continue;
			const bool l3 =
			    port.role == PortRole::underlay || port.role == PortRole::interconnect;
			if (!l3) {
				if (aux.has_address_key)
					ctx_.error(aux.address_mark, aux.f.p("address"),
					           std::string("only underlay and interconnect "
					                       "ports take an address; this is ") +
					               role_phrase(port.role));
				if (aux.has_gateway_key)
					ctx_.error(aux.gateway_mark, aux.f.p("gateway"),
					           std::string("only underlay and interconnect "
					                       "ports take a gateway; this is ") +
					               role_phrase(port.role));
				continue;
			}
			if (port.role == PortRole::underlay && !aux.has_address_key)
				ctx_.error(aux.f.mark, aux.f.path,
				           "an underlay port needs an address (missing required "
				           "key \"address\")");
			if (!aux.has_address_key && aux.has_gateway_key) {
				ctx_.error(aux.gateway_mark, aux.f.p("gateway"),
				           "a gateway needs the port's address");
				continue;
			}
			if (aux.address_error)
				continue;  // reported already
			for (size_t k = 0; k < port.gateways.size(); ++k) {
				check_inside(aux.gateways[k].mark, aux.gateways[k].path,
				             port.gateways[k], port.addresses, "the port");
			}
		}
	}

	void check_tenants()
	{
		Unique vnis(ctx_), hvlans(ctx_), attachments(ctx_), labels(ctx_), rds(ctx_);
		const bool has_trunk =
		    std::any_of(p_.cfg.ports.begin(), p_.cfg.ports.end(),
		                [](const Port& port) { return port.role == PortRole::trunk; });
		for (size_t i = 0; i < p_.cfg.tenants.size(); ++i) {
			const Tenant& t = p_.cfg.tenants[i];
			const TenantAux& aux = p_.tenants[i];
			const std::string owner =
			    aux.f.has("name") ? "tenant " + quote(t.name) : aux.f.path;
			if (aux.f.has("vni"))
				vnis.add(std::to_string(t.vni), "VNI " + std::to_string(t.vni),
				         aux.f.at("vni"), aux.f.p("vni"), owner);
			// hybrid_vlan tags the segment on trunk ports only: without one, tenants
			// may share it (which lets a node hold more than 4094 tenants).
			if (aux.f.has("hybrid_vlan") && has_trunk)
				hvlans.add(std::to_string(t.hybrid_vlan),
				           "hybrid_vlan " + std::to_string(t.hybrid_vlan),
				           aux.f.at("hybrid_vlan"), aux.f.p("hybrid_vlan"), owner);

			for (size_t k = 0; k < t.attachments.size(); ++k) {
				const Attachment& a = t.attachments[k];
				const Fields& af = aux.attachments[k];
				if (!af.has("port"))
					continue;
				const Port* port = this->port(af, "port", a.port);
				if (port == nullptr)
					continue;
				if (port->role != PortRole::access) {
					ctx_.error(af.at("port"), af.p("port"),
					           "port " + quote(a.port) + " is " +
					               role_phrase(port->role) +
					               "; attachments need an access port");
					continue;
				}
				if (!af.has("vlan") || !af.has("inner_vlan"))
					continue;
				std::string what = "attachment (port " + a.port + ", vlan " +
				                   std::to_string(a.vlan);
				if (a.inner_vlan != 0)
					what += ", inner_vlan " + std::to_string(a.inner_vlan);
				what += ")";
				attachments.add(a.port + "/" + std::to_string(a.vlan) + "/" +
				                    std::to_string(a.inner_vlan),
				                what, af.mark, af.path, owner);
			}

			Unique vteps(ctx_);
			for (size_t k = 0; k < t.vteps.size(); ++k) {
				const IpAddr& v = t.vteps[k];
				const Val& at = aux.vteps[k];
				vteps.add(to_string(v), "VTEP " + to_string(v), at.mark, at.path,
				          aux.f.p("vteps") + "[" + std::to_string(k) + "]");
				bool family_ok = false;
				for (const IpAddr& own : p_.cfg.node.vteps) {
					if (own == v)
						ctx_.error(
						    at.mark, at.path,
						    "VTEP " + to_string(v) +
						        " is this node's own vtep (node.vtep)");
					if (own.v6 == v.v6)
						family_ok = true;
				}
				if (!family_ok && !p_.cfg.node.vteps.empty())
					ctx_.error(at.mark, at.path,
					           "VTEP " + to_string(v) + " is " + family(v) +
					               " but node.vtep has no " + family(v) +
					               " address");
			}

			check_static_macs(t, aux);

			if (t.vrf) {
				const Fields& vf = aux.vrf;
				if (vf.has("label"))
					labels.add(std::to_string(*t.vrf->label),
					           "label " + std::to_string(*t.vrf->label),
					           vf.at("label"), vf.p("label"), owner);
				if (vf.has("rd"))
					rds.add(t.vrf->rd, "rd " + quote(t.vrf->rd), vf.at("rd"),
					        vf.p("rd"), owner);
			}
		}
	}

	void check_static_macs(const Tenant& t, const TenantAux& aux)
	{
		Unique macs(ctx_);
		for (size_t k = 0; k < t.static_macs.size(); ++k) {
			const StaticMac& s = t.static_macs[k];
			const Fields& sf = aux.static_macs[k];
			if (sf.has("mac"))
				macs.add(to_string(s.mac), "static MAC " + to_string(s.mac),
				         sf.at("mac"), sf.p("mac"), sf.path);
			if (!sf.has("valid"))
				continue;
			if (s.vtep) {
				if (std::find(t.vteps.begin(), t.vteps.end(), *s.vtep) ==
				    t.vteps.end())
					ctx_.error(sf.at("vtep"), sf.p("vtep"),
					           "VTEP " + to_string(*s.vtep) +
					               " is not one of tenant " + quote(t.name) +
					               "'s vteps");
				continue;
			}
			const Port* port = this->port(sf, "port", s.port);
			if (port == nullptr)
				continue;
			switch (port->role) {
				case PortRole::access: {
					if (s.vlan == 0) {
						ctx_.error(sf.mark, sf.path,
						           "missing required key \"vlan\" (port " +
						               quote(s.port) +
						               " is an access port)");
						break;
					}
					bool member = false;
					for (const Attachment& a : t.attachments)
						if (a.port == s.port && a.vlan == s.vlan &&
						    a.inner_vlan == s.inner_vlan)
							member = true;
					if (!member) {
						std::string what = "port " + s.port + " vlan " +
						                   std::to_string(s.vlan);
						if (s.inner_vlan != 0)
							what += " inner_vlan " +
							        std::to_string(s.inner_vlan);
						ctx_.error(sf.mark, sf.path,
						           what +
						               " is not an attachment of tenant " +
						               quote(t.name));
					}
					break;
				}
				case PortRole::trunk:
					if (s.vlan != 0)
						ctx_.error(sf.mark, sf.path,
						           "port " + quote(s.port) +
						               " is a trunk port, which carries "
						               "the tenant on its hybrid_vlan; "
						               "give the port alone, without vlan");
					break;
				default:
					ctx_.error(sf.at("port"), sf.p("port"),
					           "port " + quote(s.port) + " is " +
					               role_phrase(port->role) +
					               "; a static MAC is on an access port (with "
					               "vlan), a trunk port or a vtep");
			}
		}
	}

	// A tenant named in a peer: it must exist and have a vrf.
	void vrf_tenant(Mark at, const std::string& path, const std::string& name)
	{
		const Tenant* t = tenant(at, path, name);
		if (t != nullptr && !t->vrf)
			ctx_.error(at, path,
			           "tenant " + quote(name) +
			               " has no vrf; a peer exchanges a VRF's routes");
	}

	void check_peers()
	{
		Unique addresses(ctx_), subifs(ctx_);
		for (size_t i = 0; i < p_.cfg.peers.size(); ++i) {
			const Peer& peer = p_.cfg.peers[i];
			const PeerAux& aux = p_.peers[i];
			const Fields& f = aux.f;
			const std::string owner =
			    f.has("name") ? "peer " + quote(peer.name) : f.path;
			const Port* port = nullptr;
			if (f.has("port")) {
				port = this->port(f, "port", peer.port);
				if (port != nullptr && port->role != PortRole::interconnect) {
					ctx_.error(f.at("port"), f.p("port"),
					           "port " + quote(peer.port) + " is " +
					               role_phrase(port->role) +
					               "; a peer needs an interconnect port");
					port = nullptr;
				}
			}
			if (f.has("asn") && peer.asn == p_.cfg.node.asn && p_.node.f.has("asn"))
				ctx_.error(f.at("asn"), f.p("asn"),
				           "ASN " + std::to_string(peer.asn) +
				               " is this node's own ASN; an inter-AS peer is in "
				               "another AS");
			if (peer.address && f.has("option") && peer.option == PeerOption::B) {
				addresses.add(to_string(*peer.address),
				              "peer address " + to_string(*peer.address),
				              f.at("address"), f.p("address"), owner);
				if (port != nullptr)
					check_inside(f.at("address"), f.p("address"), *peer.address,
					             port->addresses, "port " + quote(port->name));
			}
			Unique tenants(ctx_);
			for (size_t k = 0; k < peer.tenants.size(); ++k) {
				const Val& tv = aux.tenants[k];
				tenants.add(
				    peer.tenants[k], "tenant " + quote(peer.tenants[k]), tv.mark,
				    tv.path,
				    "tenants[" + std::to_string(tenants_seen_index(peer, k)) + "]");
				vrf_tenant(tv.mark, tv.path, peer.tenants[k]);
			}
			for (size_t k = 0; k < peer.static_vpn_routes.size(); ++k) {
				const StaticVpnRoute& r = peer.static_vpn_routes[k];
				const Fields& rf = aux.routes[k];
				if (!rf.has("tenant"))
					continue;
				if (tenants_.find(r.tenant) == tenants_.end()) {
					tenant(rf.at("tenant"), rf.p("tenant"), r.tenant);
				} else if (std::find(peer.tenants.begin(), peer.tenants.end(),
				                     r.tenant) == peer.tenants.end()) {
					ctx_.error(rf.at("tenant"), rf.p("tenant"),
					           "tenant " + quote(r.tenant) +
					               " is not in this peer's tenants");
				}
			}
			for (size_t k = 0; k < peer.vrfs.size(); ++k) {
				const OptionAVrf& a = peer.vrfs[k];
				const Fields& af = aux.vrfs[k];
				if (af.has("tenant"))
					vrf_tenant(af.at("tenant"), af.p("tenant"), a.tenant);
				if (af.has("vlan") && f.has("port")) {
					subifs.add(peer.port + "/" + std::to_string(a.vlan),
					           "VLAN " + std::to_string(a.vlan) + " on port " +
					               peer.port,
					           af.at("vlan"), af.p("vlan"), owner);
					if (af.has("address"))
						option_a_.try_emplace({peer.port, a.vlan}, &a);
				}
				if (af.has("address") && af.has("neighbor"))
					check_inside(af.at("neighbor"), af.p("neighbor"),
					             a.neighbor, {a.address}, "the sub-interface");
			}
		}
	}

	static size_t tenants_seen_index(const Peer& peer, size_t k)
	{
		for (size_t j = 0; j < k; ++j)
			if (peer.tenants[j] == peer.tenants[k])
				return j;
		return k;
	}

	void check_neighbors()
	{
		Unique seen(ctx_);
		for (size_t i = 0; i < p_.cfg.neighbors.size(); ++i) {
			const Neighbor& n = p_.cfg.neighbors[i];
			const Fields& f = p_.neighbors[i];
			if (f.has("port")) {
				const Port* port = this->port(f, "port", n.port);
				if (port == nullptr)
					continue;
				if (port->role != PortRole::underlay &&
				    port->role != PortRole::interconnect) {
					ctx_.error(f.at("port"), f.p("port"),
					           "port " + quote(n.port) + " is " +
					               role_phrase(port->role) +
					               "; a neighbour is on an underlay or "
					               "interconnect port (or give tenant)");
					continue;
				}
				if (!f.has("address") || f.has("vlan_bad"))
					continue;
				seen.add(n.port + "/" + std::to_string(n.vlan) + "/" +
				             to_string(n.address),
				         "neighbour " + to_string(n.address) + " on port " +
				             n.port +
				             (n.vlan ? " vlan " + std::to_string(n.vlan) : ""),
				         f.at("address"), f.p("address"), f.path);
				if (n.vlan != 0) {
					auto it = option_a_.find({n.port, n.vlan});
					if (it == option_a_.end()) {
						ctx_.error(f.at("vlan"), f.p("vlan"),
						           "no Option-A peer uses VLAN " +
						               std::to_string(n.vlan) +
						               " on port " + quote(n.port));
						continue;
					}
					check_inside(f.at("address"), f.p("address"), n.address,
					             {it->second->address}, "the sub-interface");
				} else if (!aux_of(port).address_error) {
					check_inside(f.at("address"), f.p("address"), n.address,
					             port->addresses, "port " + quote(n.port));
				}
			} else if (f.has("tenant")) {
				const Tenant* t = tenant(f.at("tenant"), f.p("tenant"), n.tenant);
				if (t == nullptr || !f.has("address"))
					continue;
				seen.add(
				    n.tenant + "//" + to_string(n.address),
				    "neighbour " + to_string(n.address) + " in tenant " + n.tenant,
				    f.at("address"), f.p("address"), f.path);
				if (!t->vrf) {
					ctx_.error(f.at("tenant"), f.p("tenant"),
					           "tenant " + quote(n.tenant) +
					               " has no vrf; a host neighbour is only used "
					               "for routing in its VRF");
					continue;
				}
				check_inside(f.at("address"), f.p("address"), n.address,
				             t->vrf->gateways,
				             "tenant " + quote(n.tenant) + "'s vrf gateway");
			}
		}
	}
};

LoadResult load_node(Ctx& ctx, const YAML::Node& root)
{
	Parsed p;
	p.cfg.file = ctx.file();
	const Val top{root, or_mark(mark_of(root), Mark{1, 1}), ""};
	if (root.IsNull()) {
		ctx.error(Mark{1, 1}, "",
		          "the file is empty; expected a mapping with node and ports");
		return LoadResult{std::nullopt, ctx.take()};
	}
	auto m = read_map(ctx, top, {"node", "ports", "neighbors", "tenants", "peers"});
	if (m) {
		if (auto* e = require(ctx, *m, "node"))
			parse_node(ctx, e->val, p);
		if (auto* e = require(ctx, *m, "ports"))
			parse_ports(ctx, e->val, p);
		if (auto* e = m->get("neighbors"))
			parse_neighbors(ctx, e->val, p);
		if (auto* e = m->get("tenants"))
			parse_tenants(ctx, e->val, p);
		if (auto* e = m->get("peers"))
			parse_peers(ctx, e->val, p);
		Checker(ctx, p).run();
	}
	LoadResult r;
	r.errors = ctx.take();
	if (r.errors.empty())
		r.config = std::move(p.cfg);
	return r;
}

}  // namespace

namespace {

// `bytes` 0: more than the limit, by how much unknown (the file grew while read).
std::string size_limit_text(size_t bytes, size_t max_bytes)
{
	return "the configuration is " +
	       (bytes != 0 ? std::to_string(bytes) + " bytes, over" : std::string("over")) +
	       " the limit of " + std::to_string(max_bytes) + " bytes (--max-config-size)";
}

}  // namespace

bool read_config_file(const std::string& path, size_t max_bytes, std::string& text, Error& error)
{
	error = Error{path, 0, 0, ""};
	struct stat st {};
	if (::stat(path.c_str(), &st) != 0) {
		error.message = std::string("cannot open: ") + std::strerror(errno);
		return false;
	}
	if (S_ISDIR(st.st_mode)) {
		error.message = "is a directory, not a YAML file";
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		error.message = "is not a regular file";
		return false;
	}
	if (uint64_t(st.st_size) > max_bytes) {
		error.message = size_limit_text(size_t(st.st_size), max_bytes);
		return false;
	}
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		error.message = std::string("cannot open: ") + std::strerror(errno);
		return false;
	}
	// The file may have grown since stat: never hold more than the limit.
	text.clear();
	char buf[65536];
	while (in.read(buf, sizeof buf) || in.gcount() > 0) {
		text.append(buf, size_t(in.gcount()));
		if (text.size() > max_bytes) {
			error.message = size_limit_text(0, max_bytes);
			return false;
		}
	}
	if (in.bad()) {
		error.message = "cannot read the file";
		return false;
	}
	return true;
}

LoadResult load_string(const std::string& yaml_text, const std::string& file_name, size_t max_bytes)
{
	Ctx ctx(file_name);
	if (yaml_text.size() > max_bytes) {
		ctx.error(Mark{}, "", size_limit_text(yaml_text.size(), max_bytes));
		return LoadResult{std::nullopt, ctx.take()};
	}
	try {
		YAML::Node root;
		try {
			root = YAML::Load(yaml_text);
		} catch (const YAML::Exception& e) {
			const SyntaxError se =
			    explain_syntax_error(yaml_text, e.mark.line, e.mark.column, e.msg);
			ctx.error(Mark{se.line, se.column}, se.path, se.message);
			return LoadResult{std::nullopt, ctx.take()};
		}
		return load_node(ctx, root);
	} catch (const std::exception& e) {
		ctx.error(Mark{}, "", std::string("internal error while loading: ") + e.what());
	} catch (...) {
		ctx.error(Mark{}, "", "internal error while loading");
	}
	return LoadResult{std::nullopt, ctx.take()};
}

LoadResult load_file(const std::string& path, size_t max_bytes)
{
	try {
		std::string text;
		Error error;
		if (!read_config_file(path, max_bytes, text, error))
			return LoadResult{std::nullopt, {std::move(error)}};
		return load_string(text, path, max_bytes);
	} catch (...) {
		return LoadResult{std::nullopt, {Error{path, 0, 0, "cannot read the file"}}};
	}
}

}  // namespace tsunagi::config
