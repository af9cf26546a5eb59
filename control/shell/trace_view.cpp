#include "control/shell/trace_view.hpp"

#include <cctype>

#include "common/abi/counters.hpp"
#include "common/pkt/describe.hpp"

namespace tsunagi::shell {

namespace {

std::string port_name(const abi::TableView& t, uint64_t p)
{
	return p < t.ports.size ? std::string(t.name(t.ports[p].name))
	                        : "port " + std::to_string(p);
}

std::string headers(const std::string& frame, int indent)
{
	std::string s;
	for (const auto& l :
	     pkt::describe_frame(reinterpret_cast<const uint8_t*>(frame.data()), frame.size())) {
		s += std::string(indent, ' ') + l + "\n";
	}
	return s;
}

std::string unhex(const std::string& h)
{
	std::string b;
	for (size_t i = 0; i + 1 < h.size(); i += 2) {
		b += char(std::stoi(h.substr(i, 2), nullptr, 16));
	}
	return b;
}

}  // namespace

bool parse_hex_frame(const std::string& text, std::string& frame, std::string& error)
{
	std::string digits;
	for (size_t i = 0; i < text.size(); ++i) {
		const char c = text[i];
		if (c == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X') &&
		    (i == 0 || text[i - 1] == ' ')) {
			++i;
			continue;
		}
		if (c == ' ' || c == ':' || c == '\t') {
			continue;
		}
		if (!std::isxdigit(static_cast<unsigned char>(c))) {
			error = "% Not a hexadecimal frame: '" + std::string(1, c) + "'";
			return false;
		}
		digits += c;
	}
	if (digits.size() % 2 != 0 || digits.size() < 28) {
		error = "% A frame is whole bytes, 14 or more (an Ethernet header)";
		return false;
	}
	frame = unhex(digits);
	return true;
}

std::string render_trace(const abi::TableView& t, const std::string& frame, const nlohmann::json& v)
{
	const uint64_t in = v["port"].get<uint64_t>();
	std::string s = "Frame on " + port_name(t, in) + ", " + std::to_string(frame.size()) +
	                " bytes:\n" + headers(frame, 2);
	if (!v["tenant"].is_null()) {
		const uint64_t ti = v["tenant"].get<uint64_t>();
		s += "Tenant: " +
		     (ti < t.tenants.size ? std::string(t.name(t.tenants[ti].name))
		                          : "#" + std::to_string(ti)) +
		     "\n";
	}
	const auto& mac = v["mac"];
	if (mac["learned"] != 0) {
		s += "MAC learning: the source MAC is new and was learned\n";
	} else if (mac["moved"] != 0) {
		s += "MAC learning: the source MAC moved here from another member\n";
	} else if (mac["tableFull"] != 0) {
		s += "MAC learning: the table is full; the source MAC was not learned\n";
	}
	const auto& outs = v["outputs"];
	const auto& drops = v["drops"];
	for (const auto& [reason, n] : drops.items()) {
		std::string help;
		for (size_t r = 0; r < dp::kDropCount; ++r) {
			if (dp::kDropNames[r] == reason) {
				help = std::string(dp::kDropHelp[r]);
			}
		}
		s += "Dropped";
		if (n.get<uint64_t>() > 1) {
			s += " (" + std::to_string(n.get<uint64_t>()) + " copies)";
		}
		s += ": " + reason + " (" + help + ")\n";
	}
	size_t sent = 0, punted = 0;
	for (const auto& o : outs) {
		(o["punt"].get<bool>() ? punted : sent) += 1;
	}
	if (sent + punted == 0 && drops.empty()) {
		s += "Consumed by the node (nothing sent, nothing dropped)\n";
	}
	if (sent != 0) {
		s += "Sent out of " + std::to_string(sent) + (sent == 1 ? " port:\n" : " ports:\n");
	}
	for (const auto& o : outs) {
		const std::string bytes = unhex(o["frame"].get<std::string>());
		const std::string where = port_name(t, o["port"].get<uint64_t>());
		s += o["punt"].get<bool>() ? "To the node's kernel interface of " + where + ", "
		                           : "  -> " + where + ", ";
		s += std::to_string(bytes.size()) + " bytes:\n" + headers(bytes, 6);
	}
	s += "(traced with table generation " + std::to_string(v["generation"].get<uint64_t>()) +
	     "; nothing was sent, no counter or MAC table changed)\n";
	return s;
}

}  // namespace tsunagi::shell
