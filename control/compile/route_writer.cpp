// A tenant's VRF: its routes (configured and learned), prefix lengths and label, written and
// retracted.
#include "control/compile/writer_parts.hpp"

#include "common/abi/atomic.hpp"

namespace tsunagi::compile {

using abi::kNone;
using config::IpAddr;

namespace {

uint32_t host_order(const IpAddr& a)
{
	return (uint32_t{a.bytes[0]} << 24) | (uint32_t{a.bytes[1]} << 16) |
	       (uint32_t{a.bytes[2]} << 8) | a.bytes[3];
}

}  // namespace

abi::Route6Key TableWriter::route6_key(uint32_t tenant, const PrefixKey& k)
{
	abi::Route6Key key{};
	std::memcpy(key.addr, std::get<1>(k).data(), 16);
	key.tenant = tenant;
	key.len = std::get<2>(k);
	return key;
}

void TableWriter::put_route(uint32_t tenant, const PrefixKey& k, uint64_t ref)
{
	const auto& [v6, bytes, len] = k;
	if (v6) {
		route6_.put(route6_key(tenant, k), ref);
	} else {
		route4_.put(abi::route4_key(tenant, len, host_order(IpAddr{false, bytes})), ref);
	}
}

void TableWriter::erase_route(uint32_t tenant, const PrefixKey& k, uint64_t generation)
{
	const auto& [v6, bytes, len] = k;
	if (v6) {
		route6_.erase(route6_key(tenant, k), generation);
	} else {
		route4_.erase(abi::route4_key(tenant, len, host_order(IpAddr{false, bytes})),
		              generation);
	}
}

// The lengths lookups probe: every configured and learned route's. A length is added only
// after its routes are in the maps, and may stay a little after they are gone.
void TableWriter::store_lengths(TenantState& st)
{
	Lengths l = st.configured_lengths;
	for (unsigned len = 0; len <= 32; ++len) {
		l.v4 |= uint64_t{st.learned_per_length4[len] != 0} << len;
	}
	for (unsigned len = 0; len <= 128; ++len) {
		l.v6[len / 64] |= uint64_t{st.learned_per_length6[len] != 0} << (len % 64);
	}
	abi::VrfEntry& ve = vrf_entry(st.index);
	abi::store_release(ve.len4, l.v4);
	for (int i = 0; i < 3; ++i) {
		abi::store_release(ve.len6[i], l.v6[i]);
	}
}

void TableWriter::retire(const Learned& l, uint64_t generation)
{
	if (l.label == 0) {
		heap_.retire(l.block, sizeof(abi::NexthopEntry) * l.count, generation);
	}
}

void TableWriter::forget_learned(TenantState& st, uint64_t generation)
{
	for (const auto& [k, l] : st.learned) {
		if (!st.configured.contains(k)) {
			erase_route(st.index, k, generation);
		}
		retire(l, generation);
	}
	st.learned.clear();
	st.learned_per_length4.fill(0);
	st.learned_per_length6.fill(0);
}

bool TableWriter::set_route(const std::string& tenant, const config::IpPrefix& prefix,
                            const std::vector<abi::NexthopEntry>& all_hops, uint64_t generation)
{
	auto it = tenants_.find(tenant);
	if (it == tenants_.end() || it->second.label == 0 || all_hops.empty()) {
		return false;
	}
	TenantState& st = it->second;
	const auto hops = std::span(all_hops).first(std::min(all_hops.size(), kMaxEcmp));
	Learned l{0, uint32_t(hops.size()), 0};
	size_t bytes = sizeof(abi::NexthopEntry) * hops.size();
	SharedKey shared_key{};
	if (const auto label = shared_form(hops)) {
		const abi::NexthopEntry hop = without_labels(hops[0]);
		std::memcpy(shared_key.data(), &hop, sizeof(hop));
		l.label = *label + 1;
		if (const auto si = shared_hops_.find(shared_key); si != shared_hops_.end()) {
			l.block = si->second;
			bytes = 0;
		}
	}
	if (!heap_.fits({bytes, sizeof(abi::Header)}) ||
	    !(prefix.addr.v6 ? route6_.room(1) : route4_.room(1))) {
		return false;
	}
	if (bytes != 0) {
		l.block = heap_.alloc(bytes);
		if (l.label != 0) {
			const abi::NexthopEntry hop = without_labels(hops[0]);
			std::memcpy(base_ + l.block, &hop, bytes);
			shared_hops_.emplace(shared_key, l.block);
		} else {
			std::memcpy(base_ + l.block, hops.data(), bytes);
		}
	}
	const PrefixKey k{prefix.addr.v6, masked(prefix).addr.bytes, prefix.length};
	auto [li, fresh] = st.learned.try_emplace(k, l);
	if (!fresh) {
		retire(li->second, generation);
		li->second = l;
	} else {
		++(prefix.addr.v6 ? st.learned_per_length6 : st.learned_per_length4)[prefix.length];
	}
	if (!st.configured.contains(k)) {
		put_route(st.index, k, l.ref());
	}
	if (fresh) {
		store_lengths(st);
	}
	track(bytes + 32);
	return true;
}

bool TableWriter::remove_route(const std::string& tenant, const config::IpPrefix& prefix,
                               uint64_t generation)
{
	auto it = tenants_.find(tenant);
	if (it == tenants_.end()) {
		return false;
	}
	TenantState& st = it->second;
	const PrefixKey k{prefix.addr.v6, masked(prefix).addr.bytes, prefix.length};
	auto li = st.learned.find(k);
	if (li == st.learned.end()) {
		return false;
	}
	if (!st.configured.contains(k)) {
		erase_route(st.index, k, generation);
	}
	retire(li->second, generation);
	st.learned.erase(li);
	if (--(prefix.addr.v6 ? st.learned_per_length6 : st.learned_per_length4)[prefix.length] ==
	    0) {
		store_lengths(st);
	}
	track(32);
	return true;
}

void TableWriter::retract_vrf(TenantState& st, const VrfPlan* keep, uint64_t generation)
{
	PrefixSet wanted;
	if (keep != nullptr && keep->live) {
		for (const auto& r : keep->routes) {
			wanted.emplace(r.prefix.addr.v6, r.prefix.addr.bytes, r.prefix.length);
		}
	}
	for (const PrefixKey& k : st.configured) {
		if (wanted.contains(k)) {
			continue;
		}
		// A learned route of the prefix takes over; install_vrf puts it back.
		if (auto li = st.learned.find(k); li != st.learned.end()) {
			put_route(st.index, k, li->second.ref());
		} else {
			erase_route(st.index, k, generation);
		}
	}
	const bool same_label = keep != nullptr && keep->live && keep->label == st.label;
	if (st.label != 0 && !same_label && abi::ref_value(labels_.get(st.label)) == st.index) {
		labels_.erase(st.label, generation);
	}
	for (const uint64_t k : st.subinterfaces) {
		if (keep == nullptr || !keep->live ||
		    !std::count(keep->subinterfaces.begin(), keep->subinterfaces.end(), k)) {
			subifs_.erase(k, generation);
		}
	}
}

void TableWriter::install_vrf(TenantState& st, const VrfPlan& vp, uint64_t generation)
{
	const uint32_t tid = st.index;
	abi::VrfEntry& ve = vrf_entry(tid);
	if (!vp.live && st.label == 0 && st.vrf_block == 0) {
		return;
	}
	if (!vp.live) {
		forget_learned(st, generation);  // no VRF, nothing to learn into
	}
	// Next hops first, then the routes that point at them, then the lengths that make
	// lookups probe them.
	const size_t bytes = sizeof(abi::NexthopEntry) * vp.nexthops.size();
	uint64_t block = 0;
	if (bytes != 0) {
		block = heap_.alloc(bytes);
		std::memcpy(base_ + block, vp.nexthops.data(), bytes);
		track(bytes);
	}
	const auto word = uint32_t(block / 16);
	PrefixSet configured;
	configured.reserve(vp.routes.size());
	Lengths lengths;
	uint32_t locals[4] = {};
	size_t n_locals = 0;
	for (const auto& r : vp.routes) {
		const PrefixKey k{r.prefix.addr.v6, r.prefix.addr.bytes, r.prefix.length};
		put_route(tid, k,
		          abi::make_ref(word + r.first * abi::kNexthopWords,
		                        abi::route_aux(r.count, r.label)));
		configured.insert(k);
		if (r.prefix.addr.v6) {
			lengths.v6[r.prefix.length / 64] |= uint64_t{1} << (r.prefix.length % 64);
			continue;
		}
		const auto kind = vp.nexthops[r.first].kind;
		const bool own =
		    r.prefix.length == 32 && r.count == 1 &&
		    (kind == abi::NexthopKind::local || kind == abi::NexthopKind::subif);
		if (own && n_locals < 4) {
			const auto& b = r.prefix.addr.bytes;
			locals[n_locals++] = uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 |
			                     uint32_t(b[2]) << 8 | b[3];
		} else {
			lengths.v4 |= uint64_t{1} << r.prefix.length;
		}
	}
	track(32 * vp.routes.size() + sizeof(abi::VrfEntry));
	st.configured = std::move(configured);
	st.configured_lengths = lengths;
	// The routes are in place: the addresses may point lookups at them.
	for (size_t i = 0; i < 4; ++i) {
		abi::store_release(ve.local4[i], locals[i]);
	}
	store_lengths(st);
	abi::store_release(ve.label, vp.label);
	abi::store_release(ve.live, uint32_t{vp.live});
	if (vp.live) {
		labels_.put(vp.label, abi::make_ref(tid, 0));
	}
	for (const uint64_t k : vp.subinterfaces) {
		subifs_.put(k, abi::make_ref(tid, 0));
	}
	if (st.vrf_block != 0) {
		heap_.retire(st.vrf_block, sizeof(abi::NexthopEntry) * st.vrf_nexthops, generation);
	}
	st.vrf_block = block;
	st.vrf_nexthops = vp.nexthops.size();
	st.label = vp.live ? vp.label : 0;
	st.subinterfaces = vp.live ? vp.subinterfaces : std::vector<uint64_t>{};
}

}  // namespace tsunagi::compile
