#include "dataplane/daemon/table_follower.hpp"

#include <rte_rcu_qsbr.h>

#include "dataplane/daemon/log.hpp"

namespace tsunagi::dp {

TableFollower::TableFollower(shm::Subscriber& sub, shm::StatsSegment& stats, WorkerShared& shared,
                             int self_id, TelemetryCommands& telemetry, MacTable& macs)
    : sub_(sub),
      stats_(stats),
      shared_(shared),
      self_id_(self_id),
      telemetry_(telemetry),
      macs_(macs),
      frozen_(16, nullptr, true)
{
}

TableFollower::~TableFollower()
{
	delete retired_;
	delete shared_.current.load(std::memory_order_relaxed);
}

void TableFollower::service()
{
	shared_.punt->service();
	if (const Generation* g = shared_.current.load(std::memory_order_relaxed)) {
		timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		stats_.worker(0).mac.aged +=
		    macs_.age(uint32_t(ts.tv_sec), g->view.node().mac_aging_s, kAgeSlots);
	}
}

void TableFollower::step()
{
	retire();
	std::string err;
	auto m = sub_.poll(err);
	if (!err.empty() && err != last_error_) {
		log(err);
	}
	last_error_ = err;
	stats_.beat();
	if (!m) {
		return;
	}
	const abi::TableView view(m->data, m->header_offset);
	telemetry_.use_tables(view);
	// Renumbered tables: the workers forward without learned MACs until every one has
	// left the old numbering and the node's table is emptied (retire).
	const Generation* now = shared_.current.load(std::memory_order_relaxed);
	const bool renumbered =
	    now != nullptr && now->view.header().id_epoch != view.header().id_epoch;
	if (!renumbered) {
		macs_.adopt(view);
	}
	publish(new Generation{std::move(*m), view, renumbered ? &frozen_ : &macs_});
}

void TableFollower::publish(const Generation* g)
{
	// Release: the mapping, view and MAC table are complete before a worker can see
	// them.
	retired_ = shared_.current.exchange(g, std::memory_order_acq_rel);
	pending_ = g;
	if (self_id_ < 0) {
		retire();  // worker lcores: synchronising below is enough
	}
}

// Frees the generation the last step replaced, once no worker can be reading it: every
// worker lcore passes a quiescent point after the exchange before synchronise returns.
// A worker on this thread (single lcore) switches between two steps, and may still
// read the old generation while switching, so it is freed one step later.
void TableFollower::retire()
{
	if (pending_ == nullptr) {
		return;
	}
	rte_rcu_qsbr_synchronize(shared_.qsv,
	                         self_id_ < 0 ? RTE_QSBR_THRID_INVALID : unsigned(self_id_));
	delete retired_;
	retired_ = nullptr;
	const Generation* g = pending_;
	pending_ = nullptr;
	stats_.set_in_use(g->mapping.generation);
	if (g->macs == &frozen_) {
		// No worker uses the old numbering any more: the node's table is emptied,
		// takes the new statics, and is handed back.
		macs_.adopt(g->view);
		publish(new Generation{g->mapping, g->view, &macs_});
		return;
	}
	const uint64_t published = sub_.published_ns();
	const uint64_t now = monotonic_ns();
	log("using table generation " + std::to_string(g->mapping.generation) + " (" +
	    std::to_string(g->view.tenants.size) + " tenant slots, " +
	    std::to_string(g->view.ports.size) + " ports)" +
	    (published != 0 && now >= published
	         ? ", " + std::to_string((now - published) / 1000) + " us after publication"
	         : ""));
}

}  // namespace tsunagi::dp
