#include "common/shm/object.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace tsunagi::shm {

namespace {

std::string failure(const char* what, const std::string& name, int err)
{
	return std::string(what) + " " + name + ": " + std::strerror(err);
}

void set_errno(int* out, int err)
{
	if (out != nullptr) {
		*out = err;
	}
}

}  // namespace

std::optional<Object> Object::create(const std::string& name, uint64_t size, mode_t mode,
                                     std::optional<gid_t> group, std::string& error, int* errno_out)
{
	set_errno(errno_out, 0);
	if (size == 0) {
		error = "cannot create " + name + ": an object must not be empty";
		set_errno(errno_out, EINVAL);
		return std::nullopt;
	}
	if (group) {
		mode |= 0060;
	}
	const int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, mode);
	if (fd < 0) {
		const int err = errno;
		error = failure("cannot create shared memory", name, err);
		set_errno(errno_out, err);
		return std::nullopt;
	}
	// From here on a failure must not leave a half-made object behind under the name.
	auto fail = [&](const char* what) -> std::optional<Object> {
		const int err = errno;
		error = failure(what, name, err);
		set_errno(errno_out, err);
		::close(fd);
		shm_unlink(name.c_str());
		return std::nullopt;
	};
	if (group && fchown(fd, static_cast<uid_t>(-1), *group) != 0) {
		return fail("cannot give the group its shared memory");
	}
	// shm_open applied the umask; the contract (DESIGN.md §2) is the mode itself.
	if (fchmod(fd, mode) != 0) {
		return fail("cannot set the mode of shared memory");
	}
	if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
		return fail("cannot size shared memory");
	}
	struct stat st {};
	if (fstat(fd, &st) != 0) {
		return fail("cannot stat shared memory");
	}
	void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		return fail("cannot map shared memory");
	}
	::close(fd);
	return Object(name, p, size, Identity{st.st_dev, st.st_ino});
}

std::optional<Object> Object::open(const std::string& name, Access access, std::string& error,
                                   int* errno_out)
{
	set_errno(errno_out, 0);
	const bool rw = access == Access::read_write;
	const int fd = shm_open(name.c_str(), (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC, 0);
	if (fd < 0) {
		const int err = errno;
		error = failure("cannot open shared memory", name, err);
		set_errno(errno_out, err);
		return std::nullopt;
	}
	auto fail = [&](const char* what, int err) -> std::optional<Object> {
		error = failure(what, name, err);
		set_errno(errno_out, err);
		::close(fd);
		return std::nullopt;
	};
	struct stat st {};
	if (fstat(fd, &st) != 0) {
		return fail("cannot stat shared memory", errno);
	}
	if (st.st_size <= 0) {
		// Its creator has not sized it yet (or died before it could): nothing to map.
		return fail("cannot map shared memory", ENODATA);
	}
	const auto size = static_cast<uint64_t>(st.st_size);
	void* p = mmap(nullptr, size, rw ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		return fail("cannot map shared memory", errno);
	}
	::close(fd);
	return Object(name, p, size, Identity{st.st_dev, st.st_ino});
}

bool Object::unlink(const std::string& name, std::string& error, int* errno_out)
{
	set_errno(errno_out, 0);
	if (shm_unlink(name.c_str()) != 0) {
		const int err = errno;
		error = failure("cannot unlink shared memory", name, err);
		set_errno(errno_out, err);
		return false;
	}
	return true;
}

bool Object::set_mode(const std::string& name, mode_t mode, std::optional<gid_t> group,
                      std::string& error)
{
	const int fd = shm_open(name.c_str(), O_RDWR | O_CLOEXEC, 0);
	if (fd < 0) {
		error = failure("cannot open shared memory", name, errno);
		return false;
	}
	bool ok = true;
	if (group && fchown(fd, static_cast<uid_t>(-1), *group) != 0) {
		error = failure("cannot give the group its shared memory", name, errno);
		ok = false;
	} else if (fchmod(fd, group ? mode | 0060 : mode) != 0) {
		error = failure("cannot set the mode of shared memory", name, errno);
		ok = false;
	}
	::close(fd);
	return ok;
}

std::optional<Object::Identity> Object::identify(const std::string& name)
{
	const int fd = shm_open(name.c_str(), O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		return std::nullopt;
	}
	struct stat st {};
	const int rc = fstat(fd, &st);
	::close(fd);
	if (rc != 0) {
		return std::nullopt;
	}
	return Identity{st.st_dev, st.st_ino};
}

Object::Object(Object&& o) noexcept
    : name_(std::move(o.name_)),
      data_(std::exchange(o.data_, nullptr)),
      size_(std::exchange(o.size_, 0)),
      id_(o.id_)
{
}

Object& Object::operator=(Object&& o) noexcept
{
	if (this != &o) {
		release();
		name_ = std::move(o.name_);
		data_ = std::exchange(o.data_, nullptr);
		size_ = std::exchange(o.size_, 0);
		id_ = o.id_;
	}
	return *this;
}

Object::~Object()
{
	release();
}

void Object::release()
{
	if (data_ != nullptr) {
		munmap(data_, size_);
		data_ = nullptr;
		size_ = 0;
	}
}

}  // namespace tsunagi::shm
