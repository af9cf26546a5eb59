#include "common/cli/service.hpp"

#include <systemd/sd-daemon.h>

namespace tsunagi::cli {

ServiceNotifier::ServiceNotifier()
{
	uint64_t usec = 0;
	if (sd_watchdog_enabled(0, &usec) > 0) {
		period_us_ = usec;
	}
	next_ = std::chrono::steady_clock::now();
}

void ServiceNotifier::ready(const std::string& status)
{
	if (ready_) {
		return;
	}
	ready_ = true;
	sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str());
}

void ServiceNotifier::reloading()
{
	sd_notify(0, "RELOADING=1");
}

void ServiceNotifier::reloaded(const std::string& status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str());
}

void ServiceNotifier::status(const std::string& status)
{
	sd_notifyf(0, "STATUS=%s", status.c_str());
}

void ServiceNotifier::watchdog(bool healthy)
{
	if (period_us_ == 0 || !healthy) {
		return;
	}
	const auto now = std::chrono::steady_clock::now();
	if (now < next_) {
		return;
	}
	sd_notify(0, "WATCHDOG=1");
	next_ = now + std::chrono::microseconds(period_us_ / 2);
}

}  // namespace tsunagi::cli
