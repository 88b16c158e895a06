#include "csv.hpp"

#include <stdexcept>

namespace crmctl {

CsvReader::CsvReader(std::istream& in) : in_(in) {}

int CsvReader::get() {
    int c = in_.get();
    if (c != std::char_traits<char>::eof()) ++bytes_;
    if (c == '\n') ++line_;
    return c;
}

std::optional<std::vector<std::string>> CsvReader::next() {
    constexpr int eof = std::char_traits<char>::eof();
    if (first_) {  // a UTF-8 byte order mark before the header is not part of it
        first_ = false;
        if (in_.peek() == 0xEF) {
            char bom[3];
            in_.read(bom, 3);
            if (in_.gcount() == 3 && std::string_view(bom, 3) == "\xEF\xBB\xBF")
                bytes_ += 3;
            else {
                in_.clear();
                in_.seekg(0);
            }
        }
    }
    // Skip blank lines between records.
    while (in_.peek() == '\n' || in_.peek() == '\r') get();
    if (in_.peek() == eof) return std::nullopt;
    record_line_ = line_;
    std::vector<std::string> fields(1);
    bool quoted = false, after_quote = false;
    for (;;) {
        int c = get();
        if (quoted) {
            if (c == eof) throw std::runtime_error("unterminated quoted field");
            if (c == '"') {
                if (in_.peek() == '"') {
                    get();
                    fields.back().push_back('"');
                } else {
                    quoted = false;
                    after_quote = true;
                }
            } else {
                fields.back().push_back(static_cast<char>(c));
            }
            continue;
        }
        if (c == eof || c == '\n') break;
        if (c == '\r') {
            if (in_.peek() == '\n') get();
            break;
        }
        if (c == ',') {
            fields.emplace_back();
            after_quote = false;
        } else if (c == '"' && fields.back().empty() && !after_quote) {
            quoted = true;
        } else if (after_quote) {
            throw std::runtime_error("text after a closing quote");
        } else {
            fields.back().push_back(static_cast<char>(c));
        }
    }
    return fields;
}

void write_csv_record(std::ostream& out, const std::vector<std::string_view>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out << ',';
        std::string_view f = fields[i];
        bool quote = f.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!f.empty() && (f.front() == ' ' || f.back() == ' '));
        if (!quote) {
            out << f;
            continue;
        }
        out << '"';
        for (char c : f) {
            if (c == '"') out << '"';
            out << c;
        }
        out << '"';
    }
    out << '\n';
}

}  // namespace crmctl
