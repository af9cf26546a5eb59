// Read access to a table image: typed views of its sections and the lookups the
// pipeline makes. Built once per generation; the lookups are what run per packet.
#pragma once

#include <cstring>
#include <string>
#include <string_view>

#include "dataplane/abi/hash.hpp"
#include "dataplane/abi/tables.hpp"

namespace tsunagi::abi {

template <class T>
struct Span {
	const T* data = nullptr;
	uint64_t size = 0;
	const T& operator[](uint64_t i) const { return data[i]; }
	const T* begin() const { return data; }
	const T* end() const { return data + size; }
};

class TableView {
public:
	TableView() = default;

	// Checks magic, ABI version and that every section lies inside `size` bytes;
	// returns an empty string when the image is usable, else why it is not.
	static std::string check(const void* image, uint64_t size);

	explicit TableView(const void* image);

	bool valid() const { return header_ != nullptr; }
	const Header& header() const { return *header_; }
	uint64_t generation() const { return header_->generation; }
	const NodeEntry& node() const { return header_->node; }

	Span<PortEntry> ports;
	Span<TenantEntry> tenants;
	Span<MemberEntry> members;
	Span<uint32_t> flood;
	Span<VtepEntry> vteps;
	Span<StaticMacEntry> static_macs;

	std::string_view name(uint32_t offset) const { return names_ + offset; }
	uint16_t port_by_name(std::string_view n) const;
	uint32_t tenant_by_name(std::string_view n) const;

	uint32_t access_member(uint64_t key) const { return find(access_map_, key); }
	uint32_t vni_tenant(uint32_t vni) const { return find(vni_map_, vni); }
	uint32_t trunk_tenant(uint16_t vid) const { return trunk_map_[vid & 0xfff]; }
	uint32_t vtep_member(const VtepKey& key) const;

private:
	static uint32_t find(Span<U64Slot> map, uint64_t key)
	{
		const uint64_t mask = map.size - 1;
		for (uint64_t i = mix64(key) & mask;; i = (i + 1) & mask) {
			const U64Slot& s = map.data[i];
			if (s.value == kNone || s.key == key) {
				return s.value;
			}
		}
	}

	const Header* header_ = nullptr;
	Span<U64Slot> access_map_;
	Span<U64Slot> vni_map_;
	Span<VtepSlot> vtep_map_;
	const uint32_t* trunk_map_ = nullptr;
	const char* names_ = nullptr;
};

inline uint32_t TableView::vtep_member(const VtepKey& key) const
{
	const uint64_t mask = vtep_map_.size - 1;
	for (uint64_t i = hash_bytes(&key, sizeof(key)) & mask;; i = (i + 1) & mask) {
		const VtepSlot& s = vtep_map_.data[i];
		if (s.value == kNone || s.key == key) {
			return s.value;
		}
	}
}

}  // namespace tsunagi::abi
