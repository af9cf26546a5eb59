#include "common/netif/interface_setup.hpp"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/ipv6.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tsunagi::netif {

namespace {

struct Fd {
	int fd;
	~Fd()
	{
		if (fd >= 0) {
			close(fd);
		}
	}
};

std::string errno_text(const std::string& what)
{
	return what + ": " + std::strerror(errno);
}

ifreq request(const std::string& name)
{
	ifreq r{};
	std::strncpy(r.ifr_name, name.c_str(), IFNAMSIZ - 1);
	return r;
}

}  // namespace

std::string set_up(const std::string& name, const InterfaceSetup& s)
{
	const Fd s4{socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
	const Fd s6{socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
	if (s4.fd < 0) {
		return errno_text(name + ": socket");
	}
	if (s.mac) {
		ifreq r = request(name);
		r.ifr_hwaddr.sa_family = ARPHRD_ETHER;
		std::memcpy(r.ifr_hwaddr.sa_data, s.mac->bytes.data(), 6);
		if (ioctl(s4.fd, SIOCSIFHWADDR, &r) != 0) {
			return errno_text(name + ": set MAC");
		}
	}
	if (s.mtu != 0) {
		ifreq r = request(name);
		r.ifr_mtu = int(s.mtu);
		if (ioctl(s4.fd, SIOCSIFMTU, &r) != 0) {
			return errno_text(name + ": set MTU");
		}
	}
	for (const auto& a : s.addresses) {
		if (a.addr.v6) {
			continue;
		}
		ifreq r = request(name);
		auto* sin = reinterpret_cast<sockaddr_in*>(&r.ifr_addr);
		sin->sin_family = AF_INET;
		std::memcpy(&sin->sin_addr, a.addr.bytes.data(), 4);
		if (ioctl(s4.fd, SIOCSIFADDR, &r) != 0) {
			return errno_text(name + ": set IPv4 address");
		}
		sin->sin_addr.s_addr = a.length == 0 ? 0 : htonl(~uint32_t{0} << (32 - a.length));
		if (ioctl(s4.fd, SIOCSIFNETMASK, &r) != 0) {
			return errno_text(name + ": set IPv4 netmask");
		}
	}
	if (!s.up) {
		return {};
	}
	ifreq up = request(name);
	if (ioctl(s4.fd, SIOCGIFFLAGS, &up) != 0) {
		return errno_text(name + ": read flags");
	}
	up.ifr_flags |= IFF_UP;
	if (ioctl(s4.fd, SIOCSIFFLAGS, &up) != 0) {
		return errno_text(name + ": bring up");
	}
	// IPv6 addresses need the interface up and its index.
	ifreq idx = request(name);
	if (ioctl(s4.fd, SIOCGIFINDEX, &idx) != 0) {
		return errno_text(name + ": index");
	}
	for (const auto& a : s.addresses) {
		if (!a.addr.v6) {
			continue;
		}
		in6_ifreq r{};
		std::memcpy(&r.ifr6_addr, a.addr.bytes.data(), 16);
		r.ifr6_prefixlen = a.length;
		r.ifr6_ifindex = idx.ifr_ifindex;
		if (ioctl(s6.fd, SIOCSIFADDR, &r) != 0 && errno != EEXIST) {
			return errno_text(name + ": set IPv6 address");
		}
	}
	return {};
}

}  // namespace tsunagi::netif
