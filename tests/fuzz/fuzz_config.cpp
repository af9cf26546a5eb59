// libFuzzer target: the configuration, which an operator writes by hand and a reload reads
// while the node forwards. Whatever the text: the loader returns errors or a Config and never
// crashes or throws; a Config it accepts compiles into an image the dataplane would accept,
// and differs from nothing when compared with itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "common/abi/table_view.hpp"
#include "common/config/loader.hpp"
#include "common/config/values.hpp"
#include "control/compile/compiler.hpp"
#include "control/reload/diff.hpp"

using namespace tsunagi;

namespace {

// The value parsers read single YAML scalars; what they accept must print back to itself.
void check_values(const std::string& text)
{
	if (const auto mac = config::parse_mac(text)) {
		if (config::parse_mac(config::to_string(*mac)) != mac) {
			std::abort();
		}
	}
	if (const auto ip = config::parse_ip(text)) {
		if (config::parse_ip(config::to_string(*ip)) != ip) {
			std::abort();
		}
	}
	if (const auto p = config::parse_prefix(text)) {
		if (config::parse_prefix(config::to_string(*p)) != p) {
			std::abort();
		}
		if (!config::prefix_is_network(config::prefix_network(*p))) {
			std::abort();
		}
	}
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	const std::string text(reinterpret_cast<const char*>(data), size);
	check_values(text);

	const auto r = config::load_string(text, "fuzz");
	if (r.config.has_value() == !r.errors.empty()) {
		std::abort();  // a Config if and only if there is no error
	}
	for (const auto& e : r.errors) {
		if (e.message.empty()) {
			std::abort();
		}
	}
	if (!r.config) {
		return 0;
	}
	const config::Config& cfg = *r.config;
	if (!config::diff(cfg, cfg).empty()) {
		std::abort();
	}
	const compile::Image img = compile::compile(cfg, 1);
	if (!abi::TableView::check(img.data(), img.size()).empty()) {
		std::abort();
	}
	const abi::TableView view(img.data());
	if (!view.valid() || view.generation() != 1 || view.ports.size != cfg.ports.size() ||
	    view.tenants.size < cfg.tenants.size()) {
		std::abort();
	}
	// Recompiling against the previous image keeps every index: the same bytes come out,
	// but for the header's static_origin, which tells every image's change ring apart.
	compile::Image again = compile::compile(cfg, 1, {}, &view);
	if (again.size() != img.size()) {
		std::abort();
	}
	reinterpret_cast<abi::Header*>(again.data())->static_origin = view.header().static_origin;
	if (std::memcmp(again.data(), img.data(), img.size()) != 0) {
		std::abort();
	}
	return 0;
}
