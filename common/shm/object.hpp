// One POSIX shared-memory object, mapped: created exclusively by its writer, or opened by
// name. Owns the mapping (munmap on destruction); the file descriptor is closed once mapped,
// since nothing needs it after mmap. Unlinking a name never disturbs existing mappings.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <optional>
#include <string>

namespace tsunagi::shm {

// CLOCK_MONOTONIC in nanoseconds: the clock of every timestamp kept in shared memory, so the
// daemon and the dataplane can subtract each other's.
inline uint64_t monotonic_ns()
{
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u +
	       static_cast<uint64_t>(ts.tv_nsec);
}

class Object {
public:
	enum class Access { read_only, read_write };

	// Creates `name` with O_EXCL (an existing object is an error, EEXIST, reported through
	// `errno_out` when given) and maps it read-write, zero-filled. The mode is set with
	// fchmod so the umask cannot widen or narrow it; with a group, the object is given to
	// that group and made group read-write (mode | 0060).
	static std::optional<Object> create(const std::string& name, uint64_t size, mode_t mode,
	                                    std::optional<gid_t> group, std::string& error,
	                                    int* errno_out = nullptr);

	// Opens an existing object and maps all of it. A missing object gives nullopt with
	// ENOENT in `errno_out`, so callers can tell "not there (yet)" from a real failure.
	static std::optional<Object> open(const std::string& name, Access access,
	                                  std::string& error, int* errno_out = nullptr);

	// Removes the name; returns false (with `error` set) unless it existed and was removed.
	// ENOENT is reported through `errno_out`.
	static bool unlink(const std::string& name, std::string& error, int* errno_out = nullptr);

	// Applies create()'s mode and group rules to an existing object, for a writer that
	// takes over an object an earlier run created, perhaps with another configuration.
	static bool set_mode(const std::string& name, mode_t mode, std::optional<gid_t> group,
	                     std::string& error);

	// Identity of whatever object the name refers to now (device, inode); nullopt when
	// there is none. Lets a reader notice that a name was re-created.
	struct Identity {
		dev_t dev;
		ino_t ino;
		bool operator==(const Identity&) const = default;
	};
	static std::optional<Identity> identify(const std::string& name);

	Object(Object&& o) noexcept;
	Object& operator=(Object&& o) noexcept;
	Object(const Object&) = delete;
	Object& operator=(const Object&) = delete;
	~Object();

	void* data() { return data_; }
	const void* data() const { return data_; }
	uint64_t size() const { return size_; }
	const std::string& name() const { return name_; }
	Identity identity() const { return id_; }

private:
	Object(std::string name, void* data, uint64_t size, Identity id)
	    : name_(std::move(name)), data_(data), size_(size), id_(id)
	{
	}
	void release();

	std::string name_;
	void* data_ = nullptr;
	uint64_t size_ = 0;
	Identity id_{};
};

}  // namespace tsunagi::shm
