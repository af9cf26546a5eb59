// The table image tsunagid keeps current and publishes (docs/shared-memory.md): the image the
// newest generation is in, with the writer that edits it in place, or after a restart the
// generation a previous daemon left published, until this one builds its own.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/abi/table_view.hpp"
#include "common/config/model.hpp"
#include "common/shm/names.hpp"
#include "common/shm/subscriber.hpp"
#include "control/compile/table_writer.hpp"
#include "control/dataplane_link/publisher.hpp"

namespace tsunagi::control {

class Tables {
public:
	explicit Tables(shm::Publisher pub) : pub_(std::move(pub)) {}

	// Continues from the generation a previous daemon left published, so tenant and member
	// indexes (and the dataplane's learned MACs) survive a restart of tsunagid.
	void adopt_published(const shm::Names& names);
	bool adopted() const { return adopted_.has_value(); }

	// The newest generation, live or adopted; invalid before there is one.
	abi::TableView view() const;
	uint64_t image_bytes() const;
	uint64_t generation() const { return pub_.generation(); }
	uint64_t publish_ns() const { return pub_.publish_ns(); }

	// The writer of the live image; null until the first image is built.
	compile::TableWriter* writer() { return live_ ? live_->writer.get() : nullptr; }

	// Edits `cfg` into the live image as generation `gen`: the new header's offset, or
	// nullopt when it takes a new image.
	std::optional<uint64_t> edit(const config::Config& cfg,
	                             const std::vector<config::Neighbor>& learned, uint64_t gen);
	// Builds `cfg` into a new image object, with room for `learned_routes` (IPv4, IPv6)
	// and keeping the indexes of the image in use; its first header is written, not
	// announced. False, said in `error`, when no object could be made.
	bool rebuild(const config::Config& cfg, const std::vector<config::Neighbor>& learned,
	             uint64_t gen, std::array<uint64_t, 2> learned_routes, std::string& error);
	// Tells the dataplane that the newest generation starts at `header_offset` of the live
	// image.
	void announce(uint64_t header_offset);
	// What no reader can still use (`in_use`: the dataplane's generation, 0 when none
	// runs) is given back for reuse.
	void collect(uint64_t in_use);

private:
	struct LiveImage {
		shm::Object object;
		uint64_t number;
		uint64_t header_offset;
		std::unique_ptr<compile::TableWriter> writer;
	};
	shm::Publisher pub_;
	std::optional<LiveImage> live_;
	std::optional<shm::Subscriber::Mapping> adopted_;
};

}  // namespace tsunagi::control
