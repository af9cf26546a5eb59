#include "common/shm/subscriber.hpp"

#include <time.h>

#include <cerrno>

#include "common/abi/table_view.hpp"

namespace tsunagi::shm {

namespace {

// The coarse clock is read from the vDSO without a syscall; its few milliseconds of
// granularity are plenty for a 100 ms recheck.
uint64_t coarse_ns()
{
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u +
	       static_cast<uint64_t>(ts.tv_nsec);
}

// Why a mapped control object cannot be used; "" when it can, "wait" when its daemon is
// still creating it.
std::string judge(const Object& o)
{
	if (o.size() < sizeof(ControlBlock)) {
		return "shared memory object " + o.name() + " is too small to be a control object";
	}
	const auto& c = *static_cast<const ControlBlock*>(o.data());
	const uint64_t magic = load_magic(c);
	if (magic == 0) {
		return "wait";
	}
	if (magic != kControlMagic) {
		return "shared memory object " + o.name() + " is not a Tsunagi control object";
	}
	if (c.abi_version != abi::kAbiVersion) {
		// The same words as for an image of another version: build a header that differs
		// only in its version and let the image check say it.
		abi::Header h{};
		h.magic = abi::kMagic;
		h.abi_version = c.abi_version;
		return "refusing the tables of tsunagid (pid " + std::to_string(c.daemon_pid) +
		       "): " + abi::TableView::check(&h, sizeof(h));
	}
	if (c.size != sizeof(ControlBlock)) {
		return "control object " + o.name() + " has a layout this dataplane does not know";
	}
	return {};
}

}  // namespace

Subscriber::Subscriber(Names names) : names_(std::move(names))
{
}

uint64_t Subscriber::published_ns() const
{
	// Relaxed: poll()'s acquire of the generation already ordered this after the store
	// that came with it; a later value only means a newer publication.
	return block_ != nullptr ? block_->publish_ns.load(std::memory_order_relaxed) : 0;
}

void Subscriber::refuse(std::string why, std::string& error)
{
	if (why != refusal_) {
		refusal_ = std::move(why);
		error = refusal_;
	}
}

std::optional<Subscriber::Mapping> Subscriber::poll(std::string& error)
{
	// Acquire: pairs with Publisher::publish's release store, so the image announced as
	// `gen` is completely written before it is opened below.
	uint64_t gen =
	    block_ != nullptr ? block_->generation.load(std::memory_order_acquire) : uint64_t{0};
	if (gen == 0 || gen == seen_ || gen == failed_) {
		const uint64_t now = coarse_ns();
		if (now < next_check_ns_) {
			return std::nullopt;
		}
		next_check_ns_ = now + kRecheckNs;
		check_control(error);
		failed_ = 0;
		if (block_ == nullptr) {
			return std::nullopt;
		}
		gen = block_->generation.load(std::memory_order_acquire);  // as above
		if (gen == 0 || gen == seen_) {
			return std::nullopt;
		}
	}

	const uint64_t number = block_->image.load(std::memory_order_relaxed);
	const uint64_t offset = block_->header_offset.load(std::memory_order_relaxed);
	std::string why;
	const std::string name = names_.generation(number);
	if (image_ == nullptr || number != image_number_) {
		int err = 0;
		auto image = Object::open(name, Object::Access::read_only, why, &err);
		if (!image) {
			failed_ = gen;
			// Gone between reading its number and opening it: tsunagid removes an
			// image only once a generation in a newer one is announced, which the
			// next poll will read.
			if (err != ENOENT) {
				refuse(why, error);
			}
			return std::nullopt;
		}
		image_ = std::make_shared<const Object>(std::move(*image));
		image_number_ = number;
	}
	why = abi::TableView::check(image_->data(), image_->size(), offset);
	if (why.empty()) {
		const auto& h = abi::TableView(image_->data(), offset).header();
		if (h.generation != gen) {
			// Image and offset came from a publication after `gen`: read them again.
			if (block_->generation.load(std::memory_order_acquire) != gen) {
				return std::nullopt;
			}
			why = "its header carries generation " + std::to_string(h.generation);
		}
	}
	if (!why.empty()) {
		failed_ = gen;
		refuse("refusing table generation " + std::to_string(gen) + " (" + name + " at " +
		           std::to_string(offset) + "): " + why,
		       error);
		return std::nullopt;
	}
	seen_ = gen;
	failed_ = 0;
	refusal_.clear();
	return Mapping(image_, gen, offset, number);
}

void Subscriber::check_control(std::string& error)
{
	if (control_) {
		if (Object::identify(names_.control) == control_->identity()) {
			return;
		}
		// Replaced by a restarted tsunagid (or removed): what we already mapped stays
		// valid, so just let go of the old control object and look for the new one.
		control_.reset();
		block_ = nullptr;
		image_.reset();  // its numbers may mean other images now
		image_number_ = 0;
	}
	std::string why;
	int err = 0;
	auto o = Object::open(names_.control, Object::Access::read_only, why, &err);
	if (!o) {
		if (err == ENOENT || err == ENODATA) {
			refusal_.clear();  // no daemon yet, or one still creating it: not an error
		} else {
			refuse(why, error);
		}
		return;
	}
	why = judge(*o);
	if (why == "wait") {
		return;
	}
	if (!why.empty()) {
		refuse(std::move(why), error);
		return;
	}
	block_ = static_cast<const ControlBlock*>(o->data());
	control_ = std::move(o);
	refusal_.clear();
}

}  // namespace tsunagi::shm
