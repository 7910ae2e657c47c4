#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace consular {

// Returns `text` with & < > " ' replaced by entities: safe as HTML and XML (SVG) element text and
// as a quoted attribute value. What every generated page and chart escapes with.
std::string EscapeMarkup(absl::string_view text);

}  // namespace consular
