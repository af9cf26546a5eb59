#include "control/compile/id_plan.hpp"

#include <cstring>
#include <vector>

#include "common/config/values.hpp"

namespace tsunagi::compile {

namespace {

// Every identity of the members `cfg` gives tenant `t`, in flood-list order.
template <class F>
void for_each_member(const config::Config& cfg, const config::Tenant& t, F f)
{
	for (const auto& p : cfg.ports) {
		if (p.role == config::PortRole::trunk) {
			f(IdPlan::trunk_id(t.name, p.name, t.hybrid_vlan));
		}
	}
	for (const auto& a : t.attachments) {
		f(IdPlan::attachment_id(t.name, a.port, a.vlan, a.inner_vlan));
	}
	for (const auto& v : t.vteps) {
		f(IdPlan::vtep_id(t.name, v));
	}
}

// Holes may grow to this many times the live entries (plus slack) before renumbering.
constexpr uint32_t kHoleFactor = 2;

}  // namespace

std::string IdPlan::attachment_id(const std::string& tenant, const std::string& port, uint16_t vlan,
                                  uint16_t inner)
{
	return tenant + "|a|" + port + "|" + std::to_string(vlan) + "|" + std::to_string(inner);
}

std::string IdPlan::trunk_id(const std::string& tenant, const std::string& port, uint16_t hybrid)
{
	return tenant + "|t|" + port + "|" + std::to_string(hybrid);
}

std::string IdPlan::vtep_id(const std::string& tenant, const config::IpAddr& addr)
{
	return tenant + "|v|" + config::to_string(addr);
}

void IdPlan::number_from_scratch(const config::Config& cfg)
{
	tenants_.clear();
	members_.clear();
	tenant_slots_ = member_slots_ = 0;
	for (const auto& t : cfg.tenants) {
		tenants_[t.name] = tenant_slots_++;
		for_each_member(cfg, t,
		                [&](const std::string& id) { members_[id] = member_slots_++; });
	}
}

IdPlan::IdPlan(const config::Config& cfg, const abi::TableView* previous, uint64_t generation)
{
	// A renumbered image's epoch is its own generation number: never one seen before.
	const auto fresh_epoch = uint32_t(generation);
	if (previous == nullptr || !previous->valid()) {
		number_from_scratch(cfg);
		epoch_ = fresh_epoch;
		return;
	}
	const abi::TableView& t = *previous;
	std::map<std::string, uint32_t> old_tenants, old_members;
	for (uint32_t i = 0; i < t.tenants.size; ++i) {
		if (t.tenants[i].live) {
			old_tenants[std::string(t.name(t.tenants[i].name))] = i;
		}
	}
	for (uint32_t i = 0; i < t.members.size; ++i) {
		const abi::MemberEntry& m = t.members[i];
		if (m.kind == abi::MemberKind::unused || m.tenant >= t.tenants.size) {
			continue;
		}
		const std::string tenant(t.name(t.tenants[m.tenant].name));
		const std::string port(t.name(t.ports[m.port].name));
		switch (m.kind) {
			case abi::MemberKind::attachment:
				old_members[attachment_id(tenant, port, m.vlan, m.inner_vlan)] = i;
				break;
			case abi::MemberKind::trunk:
				old_members[trunk_id(tenant, port, m.vlan)] = i;
				break;
			case abi::MemberKind::vtep: {
				config::IpAddr a;
				a.v6 = t.vteps[m.vtep].v6 != 0;
				std::memcpy(a.bytes.data(), t.vteps[m.vtep].dst_ip, 16);
				old_members[vtep_id(tenant, a)] = i;
				break;
			}
			case abi::MemberKind::unused:
				break;
		}
	}
	tenant_slots_ = uint32_t(t.tenants.size);
	member_slots_ = uint32_t(t.members.size);
	for (const auto& ten : cfg.tenants) {
		auto it = old_tenants.find(ten.name);
		tenants_[ten.name] = it != old_tenants.end() ? it->second : tenant_slots_++;
		for_each_member(cfg, ten, [&](const std::string& id) {
			auto m = old_members.find(id);
			members_[id] = m != old_members.end() ? m->second : member_slots_++;
		});
	}
	const auto live_t = uint32_t(tenants_.size()), live_m = uint32_t(members_.size());
	if (tenant_slots_ > kHoleFactor * live_t + 64 ||
	    member_slots_ > kHoleFactor * live_m + 256 || tenant_slots_ > 0xffff) {
		number_from_scratch(cfg);
		epoch_ = fresh_epoch;
	} else {
		epoch_ = t.header().id_epoch;
	}
}

}  // namespace tsunagi::compile
