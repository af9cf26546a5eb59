// What the loader's passes share (loader.cpp): where errors go, a value with its place and
// key path, the readers that parse one value strictly, and what pass 1 hands to pass 2.
// Internal to the loader (namespace load).
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config/load_text.hpp"
#include "common/config/loader.hpp"

namespace tsunagi::config::load {

Mark mark_of(const YAML::Node& n);
Mark or_mark(Mark m, Mark fallback);
std::string describe(const YAML::Node& n);

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

Fields fields_of(const Map& m);
std::optional<Map> read_map(Ctx& ctx, const Val& v, std::initializer_list<std::string_view> keys);
const Entry* require(Ctx& ctx, const Map& m, std::string_view key);
// A list; null (the key with nothing after it) reads as an empty list.
std::optional<std::vector<Val>> read_list(Ctx& ctx, const Val& v);
// A scalar, or a list of scalars (for the one-per-family forms).
std::vector<Val> read_scalar_or_list(Ctx& ctx, const Val& v);
bool want_scalar(Ctx& ctx, const Val& v, const char* expected);
std::optional<std::string> read_string(Ctx& ctx, const Val& v);
// `true` or `false`, unquoted.
std::optional<bool> read_bool(Ctx& ctx, const Val& v);
std::optional<int64_t> read_int(Ctx& ctx, const Val& v, const std::string& what, int64_t lo,
                                int64_t hi);
std::optional<Mac> read_mac(Ctx& ctx, const Val& v, bool unicast, const char* what = "MAC");
std::optional<IpAddr> read_ip(Ctx& ctx, const Val& v);
// A unicast, specified address (VTEPs, gateways, neighbours, peers).
std::optional<IpAddr> read_host(Ctx& ctx, const Val& v);
std::optional<IpPrefix> read_prefix(Ctx& ctx, const Val& v);
// An interface address: a prefix whose address is a usable host address.
std::optional<IpPrefix> read_if_prefix(Ctx& ctx, const Val& v);
// A route's destination: host bits must be clear.
std::optional<IpPrefix> read_route_prefix(Ctx& ctx, const Val& v);
const IpAddr& addr_itself(const IpAddr& a);
const IpAddr& addr_of_prefix(const IpPrefix& p);
// ASN:NN or IPv4:NN (route distinguishers and route targets).
bool valid_rd(std::string_view s);

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
	Fields evpn;
	std::vector<Fields> evpn_peers;  // parallel to node.evpn->peers
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

// The sections of the file, each into `out` (pass 1: structure and values).
void parse_node(Ctx& ctx, const Val& v, Parsed& out);
void parse_evpn(Ctx& ctx, const Val& v, Parsed& out);
void parse_ports(Ctx& ctx, const Val& v, Parsed& out);
void parse_neighbors(Ctx& ctx, const Val& v, Parsed& out);
void parse_tenants(Ctx& ctx, const Val& v, Parsed& out);
void parse_peers(Ctx& ctx, const Val& v, Parsed& out);
// Pass 2: references and uniqueness across sections (check.hpp).
void check(Ctx& ctx, Parsed& p);

}  // namespace tsunagi::config::load
