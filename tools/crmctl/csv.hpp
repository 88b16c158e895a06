// RFC 4180 CSV, streamed: one record at a time, in constant memory.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace crmctl {

class CsvReader {
public:
    explicit CsvReader(std::istream& in);

    /// The next record, or nullopt at the end. Throws std::runtime_error for a malformed record
    /// (an unterminated quote, text after a closing quote).
    [[nodiscard]] std::optional<std::vector<std::string>> next();
    /// Physical line (1-based) where the record last returned by next() starts.
    [[nodiscard]] std::uint64_t record_line() const noexcept { return record_line_; }
    /// Bytes consumed so far (for progress).
    [[nodiscard]] std::uint64_t bytes_read() const noexcept { return bytes_; }

private:
    int get();
    std::istream& in_;
    std::uint64_t line_ = 1, record_line_ = 0, bytes_ = 0;
    bool first_ = true;
};

/// Writes one record, quoting the fields that need it.
void write_csv_record(std::ostream& out, const std::vector<std::string_view>& fields);

}  // namespace crmctl
