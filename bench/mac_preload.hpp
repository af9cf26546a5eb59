// The learned MACs of the scale run: `total` MACs spread evenly over every tenant, the j-th
// MAC of a tenant learned on the (j mod members)-th member of its flood list, so every
// member (attachment or VTEP) owns some. Scenario traffic picks its MACs from this set.
#pragma once

#include <array>
#include <cstdint>

#include "common/abi/table_view.hpp"
#include "dataplane/pipeline/mac_table.hpp"

namespace tsunagi::bench {

class MacPlan {
public:
	MacPlan(const abi::TableView& t, uint32_t total) : t_(t), total_(total) {}

	uint32_t tenants() const { return uint32_t(t_.tenants.size); }
	uint32_t macs_of(uint32_t tenant) const
	{
		return total_ / tenants() + (tenant < total_ % tenants() ? 1u : 0u);
	}
	static std::array<uint8_t, 6> mac(uint32_t tenant, uint32_t j)
	{
		return {0x02,      0xb0, uint8_t(tenant >> 8), uint8_t(tenant), uint8_t(j >> 8),
		        uint8_t(j)};
	}
	uint32_t member_of(uint32_t tenant, uint32_t j) const
	{
		const auto list = t_.flood_list(tenant);
		return list[j % list.size];
	}
	// A MAC index of `tenant` learned on `member`, varied by `salt`; abi::kNone if none.
	uint32_t pick(uint32_t tenant, uint32_t member, uint32_t salt) const;

	// Learns every MAC at time `now`; returns how many entries the table accepted.
	uint64_t preload(dp::MacTable& macs, uint32_t now) const;

private:
	const abi::TableView& t_;
	uint32_t total_;
};

}  // namespace tsunagi::bench
