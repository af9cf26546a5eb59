// YAML syntax errors in the operator's terms. yaml-cpp reports where it gave up and why in
// its own words ("illegal map value", "end of sequence not found"); most such errors in a
// hand-edited file are indentation, so this reads the lines before the error the way the
// operator does — which key each line belongs to — and says which key the error is under
// and what is wrong with the line's indentation.
#pragma once

#include <string>
#include <string_view>

namespace tsunagi::config {

struct SyntaxError {
	int line = 0;      // 1-based: the line the operator has to fix
	int column = 0;    // 1-based: its first character
	std::string path;  // the key path the line is under ("tenants[0].attachments[1]")
	std::string message;
};

// `line0` and `column0` are yaml-cpp's 0-based mark (negative: unknown), `parser` its
// message.
SyntaxError explain_syntax_error(std::string_view text, int line0, int column0,
                                 const std::string& parser);

}  // namespace tsunagi::config
