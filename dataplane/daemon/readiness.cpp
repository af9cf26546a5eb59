#include "dataplane/daemon/readiness.hpp"

#include <rte_rcu_qsbr.h>

#include <string>

#include "dataplane/daemon/log.hpp"

namespace tsunagi::dp {

namespace {

constexpr uint64_t kLinkWaitNs = 10'000'000'000ull;

}  // namespace

Readiness::Readiness(const config::Config& cfg, const PortSet& ports, shm::StatsSegment& stats,
                     rte_rcu_qsbr* qsv, bool inline_worker)
    : cfg_(cfg),
      ports_(ports),
      stats_(stats),
      qsv_(qsv),
      inline_worker_(inline_worker),
      started_(monotonic_ns()),
      token_(rte_rcu_qsbr_start(qsv))
{
}

void Readiness::tick()
{
	const uint64_t in_use = stats_.header().in_use_generation.load(std::memory_order_acquire);
	if (!notifier_.is_ready() && in_use != 0) {
		const std::string down = ports_down(cfg_, ports_);
		if (down.empty() || monotonic_ns() - started_ > kLinkWaitNs) {
			notifier_.ready("forwarding with table generation " +
			                std::to_string(in_use) +
			                (down.empty() ? "" : "; link down: " + down));
		}
	}
	if (notifier_.watchdog_enabled()) {
		const bool moving = inline_worker_ || rte_rcu_qsbr_check(qsv_, token_, false) == 1;
		if (moving) {
			token_ = rte_rcu_qsbr_start(qsv_);
		}
		notifier_.watchdog(moving);
	}
}

}  // namespace tsunagi::dp
