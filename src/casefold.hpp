// Internal: Unicode simple case folding, for case-insensitive search on SQLite (whose own
// lower() and LIKE fold ASCII only).
#pragma once

#include <string>
#include <string_view>

namespace crm::detail {

/// `text` with every character replaced by its simple case folding (CaseFolding.txt, statuses C
/// and S): "ÄRGER" -> "ärger", "ΣΊΣΥΦΟΣ" -> "σίσυφοσ", "ẞ" -> "ß". Bytes that are not valid
/// UTF-8 are kept as they are.
[[nodiscard]] std::string fold_case(std::string_view text);

}  // namespace crm::detail
