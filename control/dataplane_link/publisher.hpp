// tsunagid's side of the table publication: creates table image objects, announces each
// generation (a header inside an image) through the control object, and removes images no
// dataplane can still need. See docs/shared-memory.md.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "common/shm/control_block.hpp"
#include "common/shm/names.hpp"
#include "common/shm/object.hpp"

namespace tsunagi::shm {

class Publisher {
public:
	// Creates the control object, or takes over the one a previous daemon left and goes
	// on counting from its newest generation. A control object of another table ABI (or
	// not ours at all) is replaced, which warning() then says.
	static std::optional<Publisher> open(const Names& names, mode_t mode, std::string& error);
	// Same, with the objects given to `group` and made group read-write (DESIGN.md §2).
	static std::optional<Publisher> open(const Names& names, mode_t mode,
	                                     std::optional<gid_t> group, std::string& error);

	// Non-empty when open() had to replace an existing control object.
	const std::string& warning() const { return warning_; }

	// The newest published generation, 0 when none.
	uint64_t generation() const;
	// When it was published (CLOCK_MONOTONIC ns), 0 when none.
	uint64_t publish_ns() const
	{
		// Relaxed: this process is the only writer of the value.
		return block().publish_ns.load(std::memory_order_relaxed);
	}

	// The image object the newest generation is in (its number is the generation it was
	// created for), 0 when none.
	uint64_t image() const;

	// Creates a zeroed, writable image object of `size` bytes for generation() + 1 to be
	// announced in; nullopt (with `error`) when it cannot.
	std::optional<Object> create_image(uint64_t size, std::string& error);

	// Announces generation() + 1: its header is at `header_offset` in image `image` (one
	// create_image() made), already written with that generation, as is everything it
	// reaches. Returns the new generation.
	uint64_t announce(uint64_t image, uint64_t header_offset);

	// Copies a whole table image (as compile::compile() made it, header at offset 0; its
	// generation field is overwritten) into a new image object and announces it as
	// generation() + 1; returns that number, or 0 with `error` set and nothing published.
	uint64_t publish(const void* image, uint64_t size, std::string& error);

	// Unlinks image objects no dataplane can still switch to or be using: those holding
	// no generation from min(newest, in_use) on, where in_use is the generation every
	// worker has switched to (StatsReader::in_use_generation), 0 when no dataplane runs
	// (then only the newest image is kept). Mappings already made stay valid. Returns how
	// many were removed.
	size_t collect(uint64_t in_use);

	const Names& names() const { return names_; }

private:
	Publisher(Names names, Object control, mode_t mode, std::optional<gid_t> group)
	    : names_(std::move(names)), control_(std::move(control)), mode_(mode), group_(group)
	{
	}
	ControlBlock& block() { return *static_cast<ControlBlock*>(control_.data()); }
	const ControlBlock& block() const
	{
		return *static_cast<const ControlBlock*>(control_.data());
	}

	Names names_;
	Object control_;
	mode_t mode_;
	std::optional<gid_t> group_;
	std::string warning_;
	std::set<uint64_t> published_;  // for collect() when /dev/shm cannot be listed
};

}  // namespace tsunagi::shm
