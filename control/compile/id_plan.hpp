// Which index each tenant and member gets in a new table image. An index that existed in
// the previous image keeps its meaning (learned MACs and per-tenant counters refer to
// them); new ones are appended, never reusing an index freed since the last renumbering.
// When the holes outgrow the live entries the plan renumbers from scratch and starts a
// new id epoch.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/abi/table_view.hpp"
#include "common/config/model.hpp"

namespace tsunagi::compile {

class IdPlan {
public:
	IdPlan(const config::Config& cfg, const abi::TableView* previous, uint64_t generation);

	uint32_t tenant(const std::string& name) const { return tenants_.at(name); }
	uint32_t member(const std::string& identity) const { return members_.at(identity); }
	uint32_t tenant_slots() const { return tenant_slots_; }
	uint32_t member_slots() const { return member_slots_; }
	uint32_t epoch() const { return epoch_; }

	// What makes a member the same one in two generations.
	static std::string attachment_id(const std::string& tenant, const std::string& port,
	                                 uint16_t vlan, uint16_t inner);
	static std::string trunk_id(const std::string& tenant, const std::string& port,
	                            uint16_t hybrid_vlan);
	static std::string vtep_id(const std::string& tenant, const config::IpAddr& addr);

private:
	void number_from_scratch(const config::Config& cfg);

	std::map<std::string, uint32_t> tenants_;
	std::map<std::string, uint32_t> members_;
	uint32_t tenant_slots_ = 0;
	uint32_t member_slots_ = 0;
	uint32_t epoch_ = 0;
};

}  // namespace tsunagi::compile
