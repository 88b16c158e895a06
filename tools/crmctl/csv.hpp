// RFC 4180 CSV, streamed: one record at a time, in memory bounded by the longest record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace crmctl {

/// One cell. `quoted` tells "" (an empty string) from an empty cell (null) apart.
struct CsvField {
    std::string text;
    bool quoted = false;
};

/// One record as read. The reader reuses it, so that reading allocates nothing in steady state.
struct CsvRecord {
    std::vector<CsvField> fields;  ///< the first `size` are this record's
    std::size_t size = 0;          ///< number of fields
    std::uint64_t line = 0;        ///< physical line (1-based) where the record starts
    /// Non-empty when the record is malformed (an unterminated quote, text after a closing quote,
    /// too long): the reader still consumed it whole, so the next record is framed correctly.
    std::string error;
};

class CsvReader {
public:
    static constexpr std::size_t default_max_record_bytes = 8u << 20;  ///< 8 MiB
    static constexpr std::size_t max_fields = 1024;

    /// Reads the open file descriptor `fd` (a file or a pipe; not closed here) with read(2), so
    /// that rows from a pipe are handled as they arrive. `delimiter` separates fields (`,`; `;` from
    /// spreadsheets in locales whose decimal mark is a comma; a tab): it must not be `"`, CR or LF.
    explicit CsvReader(int fd, std::size_t max_record_bytes = default_max_record_bytes, char delimiter = ',');

    /// Reads the next record into `record`; false at the end of the input. Blank lines between
    /// records are skipped; a UTF-8 byte order mark at the very start is not part of the data.
    /// Throws std::runtime_error when the input cannot be read.
    bool next(CsvRecord& record);
    /// Bytes consumed so far (for progress).
    [[nodiscard]] std::uint64_t bytes_read() const noexcept { return consumed_; }

private:
    static constexpr int eof = -1;
    int peek();
    int get();
    bool fill();

    int fd_;
    std::size_t max_record_bytes_;
    char delimiter_;
    std::vector<char> buffer_;
    std::size_t pos_ = 0, end_ = 0;
    std::uint64_t line_ = 1, consumed_ = 0;
    bool started_ = false, at_end_ = false;
};

/// Writes one field, quoted when it must be (a comma, quote, CR or LF inside; leading or trailing
/// blanks) or when `force_quotes` (an empty string that is not null).
void write_csv_field(std::ostream& out, std::string_view text, bool force_quotes = false);

/// A text cell a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage
/// return: OWASP's list) gets a leading apostrophe, which spreadsheets show as text. A cell that
/// already starts with an apostrophe before such a character, or before another apostrophe, gets
/// one too, so that formula_guard_removed() gives back exactly the original.
[[nodiscard]] std::string formula_guarded(std::string_view text);
/// Undoes formula_guarded(): one leading apostrophe before = + - @ tab CR or ' is dropped.
[[nodiscard]] std::string formula_guard_removed(std::string text);

}  // namespace crmctl
