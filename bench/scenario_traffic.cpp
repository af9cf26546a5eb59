#include "bench/scenario_traffic.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace tsunagi::bench {

namespace {

void put16(std::vector<uint8_t>& f, size_t at, uint16_t v)
{
	f[at] = uint8_t(v >> 8);
	f[at + 1] = uint8_t(v);
}

void put32(std::vector<uint8_t>& f, size_t at, uint32_t v)
{
	put16(f, at, uint16_t(v >> 16));
	put16(f, at + 2, uint16_t(v));
}

uint16_t ip_checksum(const uint8_t* h, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2) {
		sum += uint32_t(h[i]) << 8 | h[i + 1];
	}
	while (sum >> 16) {
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return uint16_t(~sum);
}

// IPv4 header + UDP header at `at`, filling the frame to its end.
void put_ipv4_udp(std::vector<uint8_t>& f, size_t at, uint32_t src, uint32_t dst, uint16_t sport,
                  uint16_t dport)
{
	const auto total = uint16_t(f.size() - at);
	f[at] = 0x45;
	put16(f, at + 2, total);
	f[at + 8] = 64;
	f[at + 9] = 17;
	put32(f, at + 12, src);
	put32(f, at + 16, dst);
	put16(f, at + 10, ip_checksum(&f[at], 20));
	put16(f, at + 20, sport);
	put16(f, at + 22, dport);
	put16(f, at + 24, uint16_t(total - 20));
}

// A customer frame: MACs, optional 802.1Q tag, IPv4/UDP, `len` bytes in all.
std::vector<uint8_t> customer_frame(uint32_t len, const std::array<uint8_t, 6>& dst,
                                    const std::array<uint8_t, 6>& src, int vid, uint32_t k)
{
	std::vector<uint8_t> f(len, 0);
	std::memcpy(&f[0], dst.data(), 6);
	std::memcpy(&f[6], src.data(), 6);
	size_t at = 12;
	if (vid >= 0) {
		put16(f, at, 0x8100);
		put16(f, at + 2, uint16_t(vid));
		at += 4;
	}
	put16(f, at, 0x0800);
	put_ipv4_udp(f, at + 2, 0xc0a80000 | (k & 0xffff), 0xc0a90000 | ((k * 7) & 0xffff),
	             uint16_t(1024 + k % 50000), 80);
	return f;
}

// The members of `tenant` of `kind`, other than `except`.
std::vector<uint32_t> members_of(const abi::TableView& t, uint32_t tenant, abi::MemberKind kind,
                                 uint32_t except)
{
	std::vector<uint32_t> out;
	for (const uint32_t m : t.flood_list(tenant)) {
		if (m != except && t.members[m].kind == kind) {
			out.push_back(m);
		}
	}
	return out;
}

uint32_t must(uint32_t j, const char* what)
{
	if (j == abi::kNone) {
		throw std::runtime_error(std::string("scale tables have no MAC for ") + what);
	}
	return j;
}

}  // namespace

bool parse_scenario(const std::string& s, Scenario& out)
{
	if (s == "a" || s == "access-access") {
		out = Scenario::access_access;
	} else if (s == "b" || s == "access-vxlan") {
		out = Scenario::access_vxlan;
	} else if (s == "c" || s == "vxlan-access") {
		out = Scenario::vxlan_access;
	} else if (s == "d" || s == "option-b") {
		out = Scenario::option_b;
	} else if (s == "e" || s == "flood") {
		out = Scenario::flood;
	} else if (s == "f" || s == "garbage") {
		out = Scenario::garbage;
	} else {
		return false;
	}
	return true;
}

const char* scenario_name(Scenario s)
{
	switch (s) {
		case Scenario::access_access:
			return "a access->access";
		case Scenario::access_vxlan:
			return "b access->vxlan";
		case Scenario::vxlan_access:
			return "c vxlan->access";
		case Scenario::option_b:
			return "d option-b lpm+label";
		case Scenario::flood:
			return "e flood to 8 members";
		case Scenario::garbage:
			return "f garbage, all dropped";
	}
	return "?";
}

Traffic make_traffic(Scenario s, const ScaleParams& p, const abi::TableView& t, const MacPlan& macs,
                     uint32_t frames, uint32_t frame_len)
{
	Traffic tr;
	tr.frames.reserve(frames);
	if (s == Scenario::vxlan_access) {
		tr.in_port = underlay_port(p);
		const abi::PortEntry& ul = t.ports[tr.in_port];
		const uint32_t vni_tenants = uint32_t(t.tenants.size);
		for (uint32_t k = 0; k < frames; ++k) {
			// 3907 is coprime with the tenant count, so consecutive frames jump around.
			const uint32_t tenant = uint32_t((uint64_t{k} * 3907) % vni_tenants);
			const auto vteps = members_of(t, tenant, abi::MemberKind::vtep, abi::kNone);
			const auto atts =
			    members_of(t, tenant, abi::MemberKind::attachment, abi::kNone);
			if (vteps.empty() || atts.empty()) {
				throw std::runtime_error("tenant without VTEP or attachment");
			}
			const uint32_t from = vteps[k % vteps.size()];
			const uint32_t to = atts[(k / 3) % atts.size()];
			const auto src =
			    macs.mac(tenant, must(macs.pick(tenant, from, k), "a VTEP"));
			const auto dst = macs.mac(
			    tenant, must(macs.pick(tenant, to, k * 5 + 1), "an attachment"));
			const auto inner = customer_frame(frame_len, dst, src, -1, k);
			const abi::VtepEntry& v = t.vteps[t.members[from].vtep];
			std::vector<uint8_t> f(50 + inner.size(), 0);
			std::copy(ul.mac, ul.mac + 6, f.begin());
			std::copy(v.dst_mac, v.dst_mac + 6,
			          f.begin() + 6);  // the gateway's MAC, as seen from the VTEP
			put16(f, 12, 0x0800);
			const uint32_t remote = uint32_t(v.dst_ip[0]) << 24 |
			                        uint32_t(v.dst_ip[1]) << 16 |
			                        uint32_t(v.dst_ip[2]) << 8 | v.dst_ip[3];
			put_ipv4_udp(f, 14, remote, kLocalVtep, uint16_t(49152 + (k & 0x3fff)),
			             4789);
			f[20] = 0x40;  // DF, then recompute the checksum
			put16(f, 24, 0);
			put16(f, 24, ip_checksum(&f[14], 20));
			f[42] = 0x08;
			const uint32_t vni = t.tenants[tenant].vni;
			f[46] = uint8_t(vni >> 16);
			f[47] = uint8_t(vni >> 8);
			f[48] = uint8_t(vni);
			std::copy(inner.begin(), inner.end(), f.begin() + 50);
			tr.frames.push_back(std::move(f));
		}
		return tr;
	}
	tr.in_port = 0;
	if (s == Scenario::option_b) {
		if (p.vrfs == 0 || p.routes < p.vrfs || p.vrfs > p.vlans) {
			throw std::runtime_error("scenario d needs VRFs with routes");
		}
		std::array<uint8_t, 6> router{};
		std::copy(t.node().router_mac, t.node().router_mac + 6, router.begin());
		const uint32_t per = p.routes / p.vrfs;
		for (uint32_t k = 0; k < frames; ++k) {
			// Tenant t's attachment on access port 0 is VID t + 1 (attachment_tenant).
			const uint32_t tenant = uint32_t((uint64_t{k} * 7919) % p.vrfs);
			const auto vid = uint16_t(tenant + 1);
			const uint64_t ref = t.vlan_ref(0, vid);
			if (abi::ref_aux(ref) != tenant) {
				throw std::runtime_error(
				    "VRF tenant without its attachment on port 0");
			}
			const auto src = macs.mac(
			    tenant, must(macs.pick(tenant, abi::ref_value(ref), k), "the ingress"));
			auto f = customer_frame(frame_len, router, src, vid, k);
			const uint32_t dst =
			    vpn_route_prefix(tenant, (k * 13) % per) | (1 + k % 254);
			put32(f, 18 + 16, dst);
			put16(f, 18 + 10, 0);
			put16(f, 18 + 10, ip_checksum(&f[18], 20));
			tr.frames.push_back(std::move(f));
		}
		return tr;
	}
	if (s == Scenario::garbage) {
		static constexpr std::array<uint8_t, 6> kSomeone{0x02, 0xde, 0xad, 0, 0, 1};
		static constexpr std::array<uint8_t, 6> kMulticast{0x01, 0x00, 0x5e, 0, 0, 1};
		for (uint32_t k = 0; k < frames; ++k) {
			const auto vid = int(1 + (k * 1031) % p.vlans);
			std::vector<uint8_t> f;
			switch (k % 4) {
				case 0:  // untagged
					f = customer_frame(frame_len, kSomeone, kSomeone, -1, k);
					break;
				case 1: {  // QinQ, but no attachment has that inner VID
					f = customer_frame(frame_len, kSomeone, kSomeone, vid, k);
					f.insert(f.begin() + 16, {0x81, 0x00, 0x0f, 0xff});
					put16(f, 12, 0x88a8);
					f.resize(frame_len);
					break;
				}
				case 2:  // cut inside the tag
					f = customer_frame(frame_len, kSomeone, kSomeone, vid, k);
					f.resize(15);
					break;
				default:  // a known VLAN, but a multicast source
					f = customer_frame(frame_len, kSomeone, kMulticast, vid, k);
					break;
			}
			tr.frames.push_back(std::move(f));
		}
		return tr;
	}
	if (s == Scenario::flood) {
		static constexpr std::array<uint8_t, 6> kBroadcast{0xff, 0xff, 0xff,
		                                                   0xff, 0xff, 0xff};
		// Tenants with a third attachment would flood to 9; their VIDs are skipped.
		uint32_t step = 0;
		for (uint32_t k = 0; k < frames; ++step) {
			if (step > 16 * p.vlans + frames) {
				throw std::runtime_error("no tenant of access port 0 floods to " +
				                         std::to_string(kFloodCopies) + " members");
			}
			const uint32_t vid = 1 + uint32_t((uint64_t{step} * 1031) % p.vlans);
			const uint64_t ref = t.vlan_ref(tr.in_port, uint16_t(vid));
			if (abi::ref_value(ref) == abi::kNone ||
			    t.flood_list(abi::ref_aux(ref)).size != kFloodCopies + 1) {
				continue;
			}
			const uint32_t tenant = abi::ref_aux(ref);
			const auto src = macs.mac(
			    tenant, must(macs.pick(tenant, abi::ref_value(ref), k), "the ingress"));
			tr.frames.push_back(
			    customer_frame(frame_len, kBroadcast, src, int(vid), k));
			++k;
		}
		return tr;
	}
	for (uint32_t k = 0; k < frames; ++k) {
		// 1031 is coprime with 4094: consecutive frames use far-apart VLANs.
		const uint32_t vid = 1 + uint32_t((uint64_t{k} * 1031) % p.vlans);
		const uint64_t ref = t.vlan_ref(tr.in_port, uint16_t(vid));
		if (abi::ref_value(ref) == abi::kNone) {
			throw std::runtime_error(
			    "scale tables lack an attachment of access port 0");
		}
		const uint32_t in = abi::ref_value(ref);
		const uint32_t tenant = abi::ref_aux(ref);
		const auto kind = s == Scenario::access_access ? abi::MemberKind::attachment
		                                               : abi::MemberKind::vtep;
		const auto outs = members_of(t, tenant, kind, in);
		if (outs.empty()) {
			throw std::runtime_error(
			    "tenant without a second member of the wanted kind");
		}
		const uint32_t to = outs[(k / 5) % outs.size()];
		const auto src = macs.mac(tenant, must(macs.pick(tenant, in, k), "the ingress"));
		const auto dst =
		    macs.mac(tenant, must(macs.pick(tenant, to, k * 5 + 1), "the egress"));
		tr.frames.push_back(customer_frame(frame_len, dst, src, int(vid), k));
	}
	return tr;
}

}  // namespace tsunagi::bench
