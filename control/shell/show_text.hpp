// The text form of the show commands' documents (show_commands.hpp): what vtysh would
// print, rendered from the same JSON the `json` form prints, so both say the same thing.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace tsunagi::shell {

using Json = nlohmann::ordered_json;

// The text of each document, by the command's name ("tenants", "tenant", ...).
std::string render_text(const std::string& command, const Json& doc);

// A string cell from a document value: numbers and strings as they are, absent as "-".
std::string cell(const Json& v);
std::string u(uint64_t v);

}  // namespace tsunagi::shell
