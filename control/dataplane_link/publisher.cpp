#include "control/dataplane_link/publisher.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <new>
#include <vector>

#include "common/abi/table_view.hpp"

namespace tsunagi::shm {

namespace {

// Where glibc keeps POSIX shared memory on Linux; listed to find generations that an earlier
// daemon created, which this one has no record of.
constexpr const char* kShmDir = "/dev/shm";

// Why an existing control object cannot be taken over, or "" when it can.
std::string unusable(const Object& o)
{
	if (o.size() < sizeof(ControlBlock)) {
		return "it is smaller than a control block";
	}
	const auto& c = *static_cast<const ControlBlock*>(o.data());
	const uint64_t magic = load_magic(c);
	if (magic == 0) {
		return "it was never completed (its daemon died while creating it)";
	}
	if (magic != kControlMagic) {
		return "it is not a Tsunagi control object";
	}
	if (c.abi_version != abi::kAbiVersion) {
		return "it is for table ABI version " + std::to_string(c.abi_version) +
		       ", this tsunagid's is " + std::to_string(abi::kAbiVersion);
	}
	if (c.size != sizeof(ControlBlock)) {
		return "its control block layout differs from this tsunagid's";
	}
	return {};
}

}  // namespace

std::optional<Publisher> Publisher::open(const Names& names, mode_t mode, std::string& error)
{
	return open(names, mode, std::nullopt, error);
}

std::optional<Publisher> Publisher::open(const Names& names, mode_t mode,
                                         std::optional<gid_t> group, std::string& error)
{
	std::string warning;
	// The first round may find an object to replace, the next creates ours; a third only
	// if someone else keeps re-creating the name.
	for (int round = 0; round < 3; ++round) {
		int err = 0;
		auto created =
		    Object::create(names.control, sizeof(ControlBlock), mode, group, error, &err);
		if (created) {
			auto* c = new (created->data()) ControlBlock{};
			c->abi_version = abi::kAbiVersion;
			c->size = sizeof(ControlBlock);
			c->daemon_pid = static_cast<uint64_t>(getpid());
			c->generation.store(0, std::memory_order_relaxed);
			c->publish_ns.store(0, std::memory_order_relaxed);
			c->image.store(0, std::memory_order_relaxed);
			c->header_offset.store(0, std::memory_order_relaxed);
			mark_ready(*c);
			Publisher p(names, std::move(*created), mode, group);
			p.warning_ = std::move(warning);
			error.clear();
			return p;
		}
		if (err != EEXIST) {
			return std::nullopt;
		}
		auto existing =
		    Object::open(names.control, Object::Access::read_write, error, &err);
		if (!existing) {
			if (err == ENOENT) {
				continue;  // removed since create() saw it: create it now
			}
			if (err != ENODATA) {
				return std::nullopt;  // e.g. another user's object: not ours to
				                      // replace
			}
			warning = "replaced control object " + names.control +
			          ": it was never completed (its daemon died while creating it)";
		} else if (const std::string why = unusable(*existing); !why.empty()) {
			warning = "replaced control object " + names.control + ": " + why;
		} else {
			// A previous tsunagid's: keep its numbering, so a dataplane still attached
			// to it sees our first publication as newer than what it runs.
			if (!Object::set_mode(names.control, mode, group, error)) {
				return std::nullopt;
			}
			auto* c = static_cast<ControlBlock*>(existing->data());
			c->daemon_pid = static_cast<uint64_t>(getpid());
			error.clear();
			return Publisher(names, std::move(*existing), mode, group);
		}
		// Dataplanes that mapped the old object keep it until they notice the new one.
		if (!Object::unlink(names.control, error, &err) && err != ENOENT) {
			return std::nullopt;
		}
	}
	error = "cannot create control object " + names.control + ": it keeps reappearing";
	return std::nullopt;
}

uint64_t Publisher::generation() const
{
	// Relaxed: this process is the only writer of the value.
	return block().generation.load(std::memory_order_relaxed);
}

uint64_t Publisher::image() const
{
	return block().image.load(std::memory_order_relaxed);  // this process writes it
}

std::optional<Object> Publisher::create_image(uint64_t size, std::string& error)
{
	const uint64_t next = generation() + 1;
	const std::string name = names_.generation(next);
	for (int attempt = 0; attempt < 2; ++attempt) {
		int err = 0;
		if (auto obj = Object::create(name, size, mode_, group_, error, &err)) {
			published_.insert(next);
			error.clear();
			return obj;
		}
		if (err != EEXIST) {
			return std::nullopt;
		}
		// Left by a daemon that died between creating it and announcing it (or by an
		// older numbering): nothing can be using it as generation `next` of ours.
		if (!Object::unlink(name, error, &err) && err != ENOENT) {
			return std::nullopt;
		}
	}
	return std::nullopt;
}

uint64_t Publisher::announce(uint64_t image, uint64_t header_offset)
{
	const uint64_t next = generation() + 1;
	// Relaxed, all three: the release store below carries them. A reader that acquires
	// `next` reads this time, image and offset or a later publication's, never older.
	block().publish_ns.store(monotonic_ns(), std::memory_order_relaxed);
	block().image.store(image, std::memory_order_relaxed);
	block().header_offset.store(header_offset, std::memory_order_relaxed);
	// Release: the header and every entry it reaches (written through another mapping of
	// the same pages) happen-before any reader's acquire load that returns `next`.
	block().generation.store(next, std::memory_order_release);
	return next;
}

uint64_t Publisher::publish(const void* image, uint64_t size, std::string& error)
{
	if (const std::string why = abi::TableView::check(image, size); !why.empty()) {
		error = "refusing to publish a table image: " + why;
		return 0;
	}
	auto obj = create_image(size, error);
	if (!obj) {
		return 0;
	}
	const uint64_t next = generation() + 1;
	std::memcpy(obj->data(), image, size);
	static_cast<abi::Header*>(obj->data())->generation = next;
	return announce(next, 0);
}

size_t Publisher::collect(uint64_t in_use)
{
	const uint64_t newest = generation();
	const uint64_t current = image();
	if (newest == 0) {
		return 0;
	}
	const uint64_t keep_from = in_use == 0 ? newest : std::min(newest, in_use);
	std::vector<uint64_t> found(published_.begin(), published_.end());
	if (DIR* d = opendir(kShmDir)) {
		const std::string stem = names_.generation_stem();
		while (const dirent* e = readdir(d)) {
			const std::string_view n(e->d_name);
			if (!n.starts_with(stem)) {
				continue;
			}
			const std::string_view digits = n.substr(stem.size());
			uint64_t gen = 0;
			const auto [end, ec] =
			    std::from_chars(digits.data(), digits.data() + digits.size(), gen);
			// Only names that are exactly stem + digits: another node's prefix may
			// start with ours ("/a" and "/a/gen/5" both exist as runtime dirs).
			if (ec == std::errc{} && end == digits.data() + digits.size() &&
			    !digits.empty()) {
				found.push_back(gen);
			}
		}
		closedir(d);
	}
	found.push_back(current);
	std::sort(found.begin(), found.end());
	found.erase(std::unique(found.begin(), found.end()), found.end());
	// An image holds the generations from its own number up to the next image's: the one
	// holding keep_from and every later one up to the current may still be read.
	uint64_t holder = current;
	for (const uint64_t n : found) {
		if (n <= keep_from) {
			holder = n;
		}
	}
	holder = std::min(holder, current);
	size_t removed = 0;
	for (const uint64_t n : found) {
		// Above the current: never announced (a daemon died mid-publish) or from a
		// numbering this control object replaced; no reader of ours can reach it.
		if (n >= holder && n <= current) {
			continue;
		}
		std::string error;
		int err = 0;
		if (Object::unlink(names_.generation(n), error, &err)) {
			++removed;
		}
		if (err == 0 || err == ENOENT) {
			published_.erase(n);
		}
	}
	return removed;
}

}  // namespace tsunagi::shm
