// `trace PORT HEX-FRAME` in words: the frame as it came in, the tenant it was classified
// into, what learning did, and every frame the pipeline would have sent, or the drop and
// its reason (docs/shell.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/abi/table_view.hpp"

namespace tsunagi::shell {

// `verdict`: the dataplane's trace document (common/shm/command_channel.hpp).
std::string render_trace(const abi::TableView& t, const std::string& frame,
                         const nlohmann::json& verdict);

// Hex digits to bytes; spaces, colons and a leading 0x between bytes are allowed.
bool parse_hex_frame(const std::string& text, std::string& frame, std::string& error);

}  // namespace tsunagi::shell
