#include "dataplane/daemon/punt_path.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/config/port_mac.hpp"
#include "common/netif/interface_setup.hpp"
#include "common/pkt/format.hpp"
#include "common/shm/names.hpp"

namespace tsunagi::dp {

namespace {

constexpr unsigned kRingSize = 1024;
constexpr unsigned kBurst = 32;

std::string errno_text(const std::string& what)
{
	return what + ": " + std::strerror(errno);
}

// The TAP of port `index`: the port's MAC and MTU; with `addresses`, also the port's
// addresses, up.
std::string configure(const std::string& name, const config::Config& cfg, size_t index,
                      bool addresses)
{
	const config::Port& p = cfg.ports[index];
	netif::InterfaceSetup s;
	s.mac = config::port_mac(cfg, index);
	s.mtu = p.mtu;
	if (addresses) {
		s.addresses = p.addresses;
	}
	s.up = addresses;
	return netif::set_up(name, s);
}

}  // namespace

PuntPath::~PuntPath()
{
	for (const auto& t : taps_) {
		close(t.fd);
	}
	for (rte_ring* r : {to_kernel_, to_wire_}) {
		if (r != nullptr) {
			rte_mbuf* m;
			while (rte_ring_dequeue(r, reinterpret_cast<void**>(&m)) == 0) {
				rte_pktmbuf_free(m);
			}
			rte_ring_free(r);
		}
	}
}

std::string PuntPath::create(uint16_t port, uint16_t vlan, const std::string& name)
{
	const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		return errno_text("/dev/net/tun");
	}
	ifreq ifr{};
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
		const std::string err = errno_text("create TAP " + name);
		close(fd);
		return err;
	}
	taps_.push_back(Tap{port, vlan, fd, name});
	if (vlan == 0) {
		fd_by_port_[port] = fd;
	}
	return {};
}

std::string PuntPath::open(const config::Config& cfg, rte_mempool* pool)
{
	pool_ = pool;
	fd_by_port_.assign(cfg.ports.size(), -1);
	to_kernel_ = rte_ring_create("tsunagi-punt", kRingSize, SOCKET_ID_ANY, RING_F_SC_DEQ);
	to_wire_ = rte_ring_create("tsunagi-inject", kRingSize, SOCKET_ID_ANY,
	                           RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (to_kernel_ == nullptr || to_wire_ == nullptr) {
		return std::string("cannot create the punt rings: ") + rte_strerror(rte_errno);
	}
	for (size_t i = 0; i < cfg.ports.size(); ++i) {
		const config::Port& p = cfg.ports[i];
		if (p.role != config::PortRole::underlay &&
		    p.role != config::PortRole::interconnect) {
			continue;
		}
		const std::string name = shm::punt_interface(p.name);
		if (auto err = create(uint16_t(i), 0, name); !err.empty()) {
			return "port " + p.name + ": " + err;
		}
		if (auto err = configure(name, cfg, i, true); !err.empty()) {
			return "port " + p.name + ": " + err;
		}
	}
	// Sub-interfaces get the port's MAC and MTU here; their addresses are set where
	// tsunagid puts them, in the VRF's namespace, so that VRFs may overlap.
	for (const auto& peer : cfg.peers) {
		for (const auto& v : peer.vrfs) {
			const auto port =
			    std::find_if(cfg.ports.begin(), cfg.ports.end(),
			                 [&](const auto& p) { return p.name == peer.port; });
			if (port == cfg.ports.end()) {
				continue;
			}
			const auto index = size_t(port - cfg.ports.begin());
			const std::string name = shm::subif_interface(peer.port, v.vlan);
			std::string err = create(uint16_t(index), v.vlan, name);
			if (err.empty()) {
				err = configure(name, cfg, index, false);
			}
			if (!err.empty()) {
				return "peer " + peer.name + " VLAN " + std::to_string(v.vlan) +
				       ": " + err;
			}
		}
	}
	return {};
}

int PuntPath::subif_fd(uint16_t port, uint16_t vlan) const
{
	for (const auto& t : taps_) {
		if (t.port == port && t.vlan == vlan) {
			return t.fd;
		}
	}
	return -1;
}

std::string PuntPath::interface(uint16_t port) const
{
	for (const auto& t : taps_) {
		if (t.port == port && t.vlan == 0) {
			return t.name;
		}
	}
	return {};
}

uint16_t PuntPath::to_kernel(uint16_t port, rte_mbuf** pkts, uint16_t n)
{
	if (port >= fd_by_port_.size() || fd_by_port_[port] < 0) {
		return n;
	}
	for (uint16_t i = 0; i < n; ++i) {
		pkts[i]->port = port;
	}
	return uint16_t(
	    n - rte_ring_enqueue_burst(to_kernel_, reinterpret_cast<void**>(pkts), n, nullptr));
}

uint16_t PuntPath::from_kernel(rte_mbuf** pkts, uint16_t n)
{
	return uint16_t(
	    rte_ring_dequeue_burst(to_wire_, reinterpret_cast<void**>(pkts), n, nullptr));
}

void PuntPath::service()
{
	rte_mbuf* pkts[kBurst];
	unsigned n =
	    rte_ring_dequeue_burst(to_kernel_, reinterpret_cast<void**>(pkts), kBurst, nullptr);
	std::vector<uint8_t> buf;
	for (unsigned i = 0; i < n; ++i) {
		rte_mbuf* m = pkts[i];
		const uint32_t len = rte_pktmbuf_pkt_len(m);
		buf.resize(len);
		const auto* data =
		    static_cast<const uint8_t*>(rte_pktmbuf_read(m, 0, len, buf.data()));
		// A full TAP queue drops, as a full NIC queue would; the kernel retries ARP/ND.
		if (len >= pkt::kEthLen + pkt::kTagLen &&
		    pkt::load_be16(data + pkt::kMacsLen) == pkt::kTpidCtag) {
			// A sub-interface's: to its TAP without the tag.
			const int fd =
			    subif_fd(m->port, pkt::load_be16(data + pkt::kEthLen) & pkt::kVidMask);
			iovec iov[2] = {{const_cast<uint8_t*>(data), pkt::kMacsLen},
			                {const_cast<uint8_t*>(data) + pkt::kMacsLen + pkt::kTagLen,
			                 len - pkt::kMacsLen - pkt::kTagLen}};
			if (fd >= 0) {
				[[maybe_unused]] const ssize_t w = writev(fd, iov, 2);
			}
		} else {
			[[maybe_unused]] const ssize_t w = write(fd_by_port_[m->port], data, len);
		}
		rte_pktmbuf_free(m);
	}
	for (const auto& t : taps_) {
		// A sub-interface's frames are read past room for their tag.
		const uint32_t tag = t.vlan != 0 ? pkt::kTagLen : 0;
		for (unsigned k = 0; k < kBurst; ++k) {
			rte_mbuf* m = rte_pktmbuf_alloc(pool_);
			if (m == nullptr) {
				return;
			}
			auto* d = rte_pktmbuf_mtod(m, uint8_t*);
			const ssize_t len = read(t.fd, d + tag, rte_pktmbuf_tailroom(m) - tag);
			if (len < ssize_t(pkt::kEthLen)) {
				rte_pktmbuf_free(m);
				if (len <= 0) {
					break;
				}
				continue;
			}
			rte_pktmbuf_append(m, uint16_t(len + tag));
			if (tag != 0) {
				std::memmove(d, d + tag, pkt::kMacsLen);
				pkt::store_be16(d + pkt::kMacsLen, pkt::kTpidCtag);
				pkt::store_be16(d + pkt::kMacsLen + 2, t.vlan);
			}
			m->port = t.port;
			if (rte_ring_enqueue(to_wire_, m) != 0) {
				rte_pktmbuf_free(m);
			}
		}
	}
}

}  // namespace tsunagi::dp
