#include "control/reload/reloader.hpp"

#include <ctime>

#include "common/config/loader.hpp"
#include "control/reload/diff.hpp"
#include "control/reload/running_file.hpp"

namespace tsunagi::control {

Reloader::Reloader(std::string path, size_t max_bytes, const std::string& runtime_dir,
                   Target& target, Log log, std::vector<std::string>& startup_log)
    : path_(std::move(path)),
      max_bytes_(max_bytes),
      target_(target),
      log_(std::move(log)),
      history_(runtime_dir + "/config-history", startup_log)
{
}

shell::ReloadResult Reloader::reload(bool check_only, uint32_t confirm_within_s)
{
	if (!check_only) {
		log_("reloading " + path_);
	}
	if (!check_only && pending_) {
		return refuse("a reload awaits confirmation: `confirm` it, or let it roll back");
	}
	std::string text;
	if (config::Error e; !config::read_config_file(path_, max_bytes_, text, e)) {
		if (!check_only) {
			target_.reloaded(false);
		}
		return refuse(e.to_string() + "; the running configuration stays", check_only);
	}
	// What is in force now, as applied (the file lags during a startup hold).
	const std::string before = history_.empty() ? running_yaml() : history_[0].yaml;
	auto r = apply_text(text, path_, check_only,
	                    confirm_within_s ? "reload (unconfirmed)" : "reload");
	if (r.ok && confirm_within_s != 0 && !check_only && history_[0].yaml == text &&
	    before != text) {
		pending_ = Pending{before, std::chrono::steady_clock::now() +
		                               std::chrono::seconds(confirm_within_s)};
		r.lines.push_back("rolls back in " + std::to_string(confirm_within_s) +
		                  " s unless confirmed (`confirm`)");
		log_(r.lines.back());
	}
	return r;
}

shell::ReloadResult Reloader::confirm()
{
	if (!pending_) {
		return refuse("no reload awaits confirmation", true);
	}
	pending_.reset();
	if (std::string err; !history_.relabel_newest("reload (confirmed)", err)) {
		log_(err);
	}
	log_("reload confirmed");
	return {true, {"confirmed"}};
}

shell::ReloadResult Reloader::rollback(uint32_t n)
{
	if (n == 0 || n >= history_.size()) {
		return refuse("no configuration " + std::to_string(n) +
		                  " back; `show config-history` lists " +
		                  std::to_string(history_.size() - 1),
		              true);
	}
	log_("rolling back " + std::to_string(n));
	pending_.reset();
	return apply_text(history_[n].yaml, "rollback " + std::to_string(n), false,
	                  "rollback " + std::to_string(n));
}

std::vector<shell::Applied> Reloader::history() const
{
	return {history_.entries().begin(), history_.entries().end()};
}

std::optional<uint64_t> Reloader::confirm_deadline_s() const
{
	if (!pending_) {
		return std::nullopt;
	}
	const auto left = pending_->deadline - std::chrono::steady_clock::now();
	return uint64_t(
	    std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(left).count()));
}

std::string Reloader::expire_unconfirmed()
{
	if (!pending_ || std::chrono::steady_clock::now() < pending_->deadline) {
		return "";
	}
	const std::string previous = std::move(pending_->previous);
	pending_.reset();
	log_("the reload was not confirmed in time; rolling back");
	const auto r = apply_text(previous, "the configuration before the unconfirmed reload",
	                          false, "not confirmed: rolled back");
	return r.ok ? "the reload was not confirmed in time: the configuration before it was "
	              "applied again"
	            : "the reload was not confirmed in time, and rolling it back failed: see the "
	              "log";
}

void Reloader::record_startup(const std::string& text)
{
	if (history_.empty() || history_[0].yaml != text) {
		remember(text, "startup");
	}
}

std::string Reloader::running_yaml() const
{
	return read_running(target_.running().node.runtime_dir).value_or("");
}

shell::ReloadResult Reloader::apply_text(const std::string& text, const std::string& source,
                                         bool check_only, const std::string& origin)
{
	auto r = validate_and_apply(text, source, check_only, origin);
	if (!check_only) {
		target_.reloaded(r.ok);
	}
	return r;
}

shell::ReloadResult Reloader::validate_and_apply(const std::string& text, const std::string& source,
                                                 bool check_only, const std::string& origin)
{
	shell::ReloadResult r;
	auto say = [&](std::string l) {
		if (!check_only) {
			log_(l);
		}
		r.lines.push_back(std::move(l));
	};
	auto loaded = config::load_string(text, source, max_bytes_);
	for (const auto& e : loaded.errors) {
		say(e.to_string());
	}
	if (!loaded.config) {
		say(std::to_string(loaded.errors.size()) + " error(s) in " + source +
		    "; the running configuration stays");
		return r;
	}
	config::Config next = std::move(*loaded.config);
	next.file = path_;  // what a rollback applies is still the node's file's
	const config::Config& running = target_.running();
	if (next.node.runtime_dir != running.node.runtime_dir) {
		say("node.runtime_dir cannot change while running; nothing applied");
		return r;
	}
	if (next.node.group != running.node.group) {
		say("node.group cannot change while running (restart both daemons); nothing "
		    "applied");
		return r;
	}
	const auto changes = config::diff(running, next);
	for (const auto& l : changes) {
		say(l);
	}
	r.ok = true;
	if (changes.empty()) {
		say("no changes");
		return r;
	}
	if (check_only) {
		return r;
	}
	if (!target_.put_in_force(std::move(next), text, say)) {
		r.ok = false;
		return r;
	}
	remember(text, origin);
	return r;
}

void Reloader::remember(const std::string& text, const std::string& origin)
{
	if (std::string err; !history_.push({uint64_t(std::time(nullptr)), origin, text}, err)) {
		log_("configuration history: " + err + " (kept in memory)");
	}
}

shell::ReloadResult Reloader::refuse(std::string why, bool quiet)
{
	if (!quiet) {
		log_(why);
	}
	return {false, {std::move(why)}};
}

}  // namespace tsunagi::control
