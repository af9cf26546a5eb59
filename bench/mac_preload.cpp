#include "bench/mac_preload.hpp"

namespace tsunagi::bench {

uint32_t MacPlan::pick(uint32_t tenant, uint32_t member, uint32_t salt) const
{
	const uint32_t n = macs_of(tenant);
	for (uint32_t k = 0; k < n; ++k) {
		const uint32_t j = (salt + k) % n;
		if (member_of(tenant, j) == member) {
			return j;
		}
	}
	return abi::kNone;
}

uint64_t MacPlan::preload(dp::MacTable& macs, uint32_t now) const
{
	const uint32_t aging = t_.node().mac_aging_s;
	uint64_t learned = 0;
	for (uint32_t t = 0; t < tenants(); ++t) {
		const uint32_t limit = t_.tenants[t].mac_limit;
		for (uint32_t j = 0, n = macs_of(t); j < n; ++j) {
			const auto m = mac(t, j);
			if (macs.learn(dp::MacTable::key(t, m.data()), member_of(t, j), now, limit,
			               aging) == dp::MacTable::Learn::learned) {
				++learned;
			}
		}
	}
	return learned;
}

}  // namespace tsunagi::bench
