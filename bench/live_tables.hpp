// tsunagid's table side for tsunagi-bench-live: one image object in shared memory kept
// current by compile::TableWriter and announced through shm::Publisher, exactly the calls
// tsunagid makes (control/daemon/main.cpp: build_image, publish_routes, collect), so the
// dataplane that attaches cannot tell the bench from the daemon.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/abi/table_view.hpp"
#include "common/shm/names.hpp"
#include "common/shm/stats_segment.hpp"
#include "control/compile/table_writer.hpp"
#include "control/dataplane_link/publisher.hpp"

namespace tsunagi::bench {

class LiveTables {
public:
	// Builds `cfg` into a new image with room for `learned_routes` routes learned at run
	// time (as tsunagid plans for its RIB) and announces it; nullopt with `error` when the
	// objects cannot be made.
	static std::unique_ptr<LiveTables> open(const std::string& runtime_dir,
	                                        const config::Config& cfg, uint64_t learned_routes,
	                                        std::string& error);
	// Unlinks every object of the node: the control block, the image, and the counters
	// segment the dataplane left (a dataplane never removes it itself).
	~LiveTables();

	compile::TableWriter& writer() { return *writer_; }
	// The generation the next edit belongs to.
	uint64_t next_generation() const { return pub_.generation() + 1; }
	// Commits the edits made for next_generation() and announces it; false when the image
	// has no room left for the header (tsunagid would then build a new image).
	bool publish();
	uint64_t published() const { return pub_.generation(); }
	uint64_t publish_ns() const { return pub_.publish_ns(); }
	abi::TableView view() const { return abi::TableView(image_.data(), header_offset_); }
	uint64_t image_bytes() const { return image_.size(); }

	// The dataplane's counters segment, once it has made one.
	const shm::StatsReader* stats();
	// What tsunagid's loop does every pass: lets the writer reuse what generations older
	// than the one in use let go of. (Its Publisher::collect has nothing to do here: the
	// bench never needs a second image.)
	uint64_t reclaim();

private:
	LiveTables(shm::Names names, shm::Publisher pub, shm::Object image)
	    : names_(std::move(names)), pub_(std::move(pub)), image_(std::move(image))
	{
	}

	shm::Names names_;
	shm::Publisher pub_;
	shm::Object image_;
	uint64_t image_number_ = 0;
	uint64_t header_offset_ = 0;
	std::unique_ptr<compile::TableWriter> writer_;
	std::optional<shm::StatsReader> stats_;
};

}  // namespace tsunagi::bench
