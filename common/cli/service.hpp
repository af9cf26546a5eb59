// Telling systemd how a daemon is doing (Type=notify units, tools/systemd/): ready, reloading,
// alive. Outside systemd (no NOTIFY_SOCKET) every call does nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tsunagi::cli {

class ServiceNotifier {
public:
	ServiceNotifier();

	// Once: the daemon does its job from now on. `status` is what systemctl status shows.
	void ready(const std::string& status);
	void reloading();
	void reloaded(const std::string& status);
	void status(const std::string& status);

	// Call from the main loop, as often as it likes: pings the watchdog at half its
	// period, when the unit has one and `healthy` holds (the daemon's own check that it
	// is not stuck somewhere the loop cannot see, e.g. a worker).
	void watchdog(bool healthy = true);
	bool watchdog_enabled() const { return period_us_ != 0; }
	// The unit's watchdog period, 0 when it has none.
	uint64_t period_us() const { return period_us_; }

	bool is_ready() const { return ready_; }

private:
	uint64_t period_us_ = 0;
	std::chrono::steady_clock::time_point next_;
	bool ready_ = false;
};

}  // namespace tsunagi::cli
