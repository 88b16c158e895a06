// Fuzz target: the crmctl CSV reader (tools/crmctl/csv.cpp), compiled into this executable.
//
// The input is read through a pipe, as `crmctl import -` reads stdin, with a small record limit so
// that the "too long" path is reached. Properties checked on every input:
// - every record's fields are within the limits the reader promises;
// - round trip: the records read without error, written back with write_csv_field() and read
//   again, give the same fields (null stays null, text stays text).
#include "fuzz_common.hpp"

#include "csv.hpp"

#include <unistd.h>

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t max_record_bytes = 1024;

struct Cell {
    std::string text;
    bool null;
    bool operator==(const Cell&) const = default;
};
using Rows = std::vector<std::vector<Cell>>;

// Reads `text` through a pipe; the good records into `rows`, the count of bad ones returned.
std::size_t read_all(std::string_view text, Rows& rows) {
    int fds[2];
    CRM_FUZZ_CHECK(::pipe(fds) == 0);
    // The inputs are far smaller than a pipe's buffer (64 KiB): one write, then end of file.
    std::size_t written = 0;
    while (written < text.size()) {
        ssize_t n = ::write(fds[1], text.data() + written, text.size() - written);
        CRM_FUZZ_CHECK(n > 0);
        written += static_cast<std::size_t>(n);
    }
    ::close(fds[1]);
    crmctl::CsvReader reader(fds[0], max_record_bytes);
    crmctl::CsvRecord record;
    std::size_t bad = 0;
    std::uint64_t last_line = 0;
    while (reader.next(record)) {
        CRM_FUZZ_CHECK(record.size >= 1 && record.size <= crmctl::CsvReader::max_fields);
        CRM_FUZZ_CHECK(record.size <= record.fields.size());
        CRM_FUZZ_CHECK(record.line > last_line);  // records start on ever later lines
        last_line = record.line;
        if (!record.error.empty()) {
            ++bad;
            continue;
        }
        std::size_t bytes = 0;
        std::vector<Cell> row;
        for (std::size_t i = 0; i < record.size; ++i) {
            const auto& f = record.fields[i];
            bytes += f.text.size();
            row.push_back({f.text, f.text.empty() && !f.quoted});
        }
        CRM_FUZZ_CHECK(bytes <= max_record_bytes);
        rows.push_back(std::move(row));
    }
    CRM_FUZZ_CHECK(reader.bytes_read() == text.size());
    ::close(fds[0]);
    return bad;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 16384) return -1;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    Rows rows;
    read_all(text, rows);

    // Write the good records back as crmctl export does (after a header line, so that a byte order
    // mark at the start of a field is not taken for the file's own), then read them again.
    std::ostringstream out;
    out << "h\n";
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i) out << ',';
            crmctl::write_csv_field(out, row[i].text, /*force_quotes=*/!row[i].null && row[i].text.empty());
        }
        out << '\n';
    }
    Rows again;
    CRM_FUZZ_CHECK(read_all(out.str(), again) == 0);
    CRM_FUZZ_CHECK(!again.empty());
    again.erase(again.begin());
    // A record of one null cell is a blank line, which the reader skips: compare without those.
    auto blank = [](const std::vector<Cell>& r) { return r.size() == 1 && r[0].null; };
    std::erase_if(rows, blank);
    CRM_FUZZ_CHECK(rows == again);
    return 0;
}
