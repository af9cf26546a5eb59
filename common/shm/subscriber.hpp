// The dataplane's side of the table publication: notices a newly published generation and
// maps it read-only. Never waits for tsunagid: with no daemon, or a refused one, poll()
// just has nothing new, and forwarding goes on with the tables already in use.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/shm/control_block.hpp"
#include "common/shm/names.hpp"
#include "common/shm/object.hpp"

namespace tsunagi::shm {

class Subscriber {
public:
	explicit Subscriber(Names names);

	// A checked generation: its header at `header_offset` in a mapped table image
	// (abi::TableView(data, header_offset)). Keep it until every worker has moved past it
	// (RCU); the image is unmapped when no Mapping of it is left.
	class Mapping {
	public:
		const void* data = nullptr;
		uint64_t size = 0;
		uint64_t generation = 0;
		uint64_t header_offset = 0;
		uint64_t image = 0;  // the image object's number

	private:
		friend class Subscriber;
		Mapping(std::shared_ptr<const Object> object, uint64_t gen, uint64_t offset,
		        uint64_t image_number)
		    : data(object->data()),
		      size(object->size()),
		      generation(gen),
		      header_offset(offset),
		      image(image_number),
		      object_(std::move(object))
		{
		}
		std::shared_ptr<const Object> object_;
	};

	// Returns a generation published since the last one returned, mapped and checked
	// (abi::TableView::check, and its header's generation equal to the announced one), or
	// nullopt when there is nothing new. Sets `error` (and returns nullopt) when it finds
	// the control object or an image refused, once per refusal rather than every poll;
	// refusal() holds it for as long as it stands.
	//
	// Cheap when nothing changed: one acquire load and a coarse clock read. About every
	// kRecheckNs it also looks up the control object's name (tsunagid may have replaced
	// it, e.g. after an ABI change) or, with none attached, tries to open it.
	std::optional<Mapping> poll(std::string& error);

	// The generation poll() last returned, 0 when none yet.
	uint64_t seen() const { return seen_; }

	// Why the current control object or newest image is refused; empty when it is not.
	const std::string& refusal() const { return refusal_; }

	// The control object's publication time of the newest generation (CLOCK_MONOTONIC ns),
	// 0 when not attached.
	uint64_t published_ns() const;

	static constexpr uint64_t kRecheckNs = 100'000'000;

private:
	void check_control(std::string& error);
	void refuse(std::string why, std::string& error);

	Names names_;
	std::optional<Object> control_;
	const ControlBlock* block_ = nullptr;
	uint64_t seen_ = 0;
	uint64_t next_check_ns_ = 0;
	// A generation that was announced but could not be used; retried only when another is
	// announced or at the next recheck, so a poll loop does not make a syscall every time.
	uint64_t failed_ = 0;
	std::string refusal_;
	// The image the last generation was in: the next is usually in the same one.
	std::shared_ptr<const Object> image_;
	uint64_t image_number_ = 0;
};

}  // namespace tsunagi::shm
