#include "common/abi/table_view.hpp"

namespace tsunagi::abi {

namespace {

template <class T>
Span<T> section(const void* image, const Section& s)
{
	return {reinterpret_cast<const T*>(static_cast<const char*>(image) + s.offset), s.count};
}

template <class T>
bool inside(const Section& s, uint64_t size)
{
	if (s.offset % alignof(T) != 0 || s.offset > size) {
		return false;
	}
	return s.count <= (size - s.offset) / sizeof(T);
}

bool pow2_nonzero(uint64_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

}  // namespace

std::string TableView::check(const void* image, uint64_t size, uint64_t header_offset)
{
	if (size < sizeof(Header) || header_offset > size - sizeof(Header) ||
	    header_offset % alignof(Header) != 0) {
		return "table image is smaller than its header";
	}
	const auto* h =
	    reinterpret_cast<const Header*>(static_cast<const char*>(image) + header_offset);
	if (h->magic != kMagic) {
		return "table image has a bad magic number (not a Tsunagi table)";
	}
	if (h->abi_version != kAbiVersion) {
		return "table ABI version " + std::to_string(h->abi_version) +
		       " does not match this dataplane's version " + std::to_string(kAbiVersion) +
		       "; run a tsunagid and tsunagi-dataplane of the same release";
	}
	if (h->header_size != sizeof(Header) || h->total_size > size) {
		return "table image header is inconsistent with its size";
	}
	const uint64_t n = h->total_size;
	const bool ok = inside<PortEntry>(h->ports, n) && inside<TenantEntry>(h->tenants, n) &&
	                inside<MemberEntry>(h->members, n) && inside<uint32_t>(h->flood, n) &&
	                inside<VtepEntry>(h->vteps, n) && inside<U64Slot>(h->access_map, n) &&
	                inside<U64Slot>(h->vni_map, n) && inside<VtepSlot>(h->vtep_map, n) &&
	                inside<uint64_t>(h->vlan_map, n) && inside<char>(h->names, n) &&
	                h->vlan_map.count == h->ports.count * kVlanSlots &&
	                inside<VrfEntry>(h->vrfs, n) && h->vrfs.count >= h->tenants.count &&
	                inside<U64Slot>(h->route4_map, n) && inside<Route6Slot>(h->route6_map, n) &&
	                inside<U64Slot>(h->label_map, n) && inside<U64Slot>(h->vlan_vrf_map, n) &&
	                pow2_nonzero(h->access_map.count) && pow2_nonzero(h->vni_map.count) &&
	                pow2_nonzero(h->vtep_map.count) && pow2_nonzero(h->route4_map.count) &&
	                pow2_nonzero(h->route6_map.count) && pow2_nonzero(h->label_map.count) &&
	                pow2_nonzero(h->vlan_vrf_map.count) && h->ports.count <= kMaxPorts &&
	                h->names.count > 0;
	// The dataplane walks the static map whole and indexes the ring modulo its size.
	const bool statics_ok =
	    inside<U64Slot>(h->static_map, n) && pow2_nonzero(h->static_map.count) &&
	    inside<StaticMacChange>(h->static_log, n) && pow2_nonzero(h->static_log.count);
	if (!ok || !statics_ok) {
		return "table image has a section outside its bounds";
	}
	return {};
}

TableView::TableView(const void* image, uint64_t header_offset)
{
	header_ = reinterpret_cast<const Header*>(static_cast<const char*>(image) + header_offset);
	ports = section<PortEntry>(image, header_->ports);
	tenants = section<TenantEntry>(image, header_->tenants);
	members = section<MemberEntry>(image, header_->members);
	flood = section<uint32_t>(image, header_->flood);
	vteps = section<VtepEntry>(image, header_->vteps);
	static_log = section<StaticMacChange>(image, header_->static_log);
	vrfs = section<VrfEntry>(image, header_->vrfs);
	image_ = static_cast<const char*>(image);
	auto map = [&]<class Slot>(Map<Slot>& m, const Section& s) {
		m.slots = section<Slot>(image, s).data;
		m.mask = s.count - 1;
	};
	map(access_map, header_->access_map);
	map(vni_map, header_->vni_map);
	map(vtep_map, header_->vtep_map);
	map(route4_map, header_->route4_map);
	map(route6_map, header_->route6_map);
	map(label_map, header_->label_map);
	map(vlan_vrf_map, header_->vlan_vrf_map);
	map(static_map, header_->static_map);
	vlan_map_ = section<uint64_t>(image, header_->vlan_map).data;
	names_ = section<char>(image, header_->names).data;
}

uint16_t TableView::port_by_name(std::string_view n) const
{
	for (uint64_t i = 0; i < ports.size; ++i) {
		if (name(ports[i].name) == n) {
			return static_cast<uint16_t>(i);
		}
	}
	return kNoPort;
}

uint32_t TableView::tenant_by_name(std::string_view n) const
{
	for (uint64_t i = 0; i < tenants.size; ++i) {
		if (load_acquire(tenants[i].live) != 0 && name(tenants[i].name) == n) {
			return static_cast<uint32_t>(i);
		}
	}
	return kNone;
}

}  // namespace tsunagi::abi
