#include "csv.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace crmctl {

CsvReader::CsvReader(int fd, std::size_t max_record_bytes, char delimiter)
    : fd_(fd), max_record_bytes_(max_record_bytes), delimiter_(delimiter), buffer_(std::size_t{64} << 10) {
    if (delimiter == '"' || delimiter == '\r' || delimiter == '\n')
        throw std::invalid_argument("a CSV delimiter cannot be a quote or a line end");
}

bool CsvReader::fill() {
    if (at_end_) return false;
    pos_ = end_ = 0;
    // The byte order mark check needs the first 3 bytes, which a pipe may deliver one by one.
    do {
        ssize_t n = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error(std::string("reading the input failed: ") + std::strerror(errno));
        if (n == 0) {
            at_end_ = true;
            break;
        }
        end_ += static_cast<std::size_t>(n);
    } while (!started_ && end_ < 3);
    if (!started_) {  // a UTF-8 byte order mark before the header is not part of it
        started_ = true;
        if (end_ >= 3 && std::string_view(buffer_.data(), 3) == "\xEF\xBB\xBF") {
            pos_ = 3;
            consumed_ = 3;
        }
    }
    return pos_ < end_;
}

int CsvReader::peek() {
    if (pos_ == end_ && !fill()) return eof;
    return static_cast<unsigned char>(buffer_[pos_]);
}

// Counts physical lines: LF, CRLF, and a lone CR each end one.
int CsvReader::get() {
    int c = peek();
    if (c == eof) return eof;
    ++pos_;
    ++consumed_;
    if (c == '\n' || (c == '\r' && peek() != '\n')) ++line_;
    return c;
}

bool CsvReader::next(CsvRecord& record) {
    for (int c = peek(); c == '\n' || c == '\r'; c = peek()) get();  // blank lines
    if (peek() == eof) return false;

    record.line = line_;
    record.size = 0;
    record.error.clear();
    std::size_t bytes = 0;
    auto fail = [&](std::string message) {
        if (record.error.empty()) record.error = std::move(message);
    };
    // Once the record is known to be bad its text is dropped: it is read to its end only to frame
    // the next one, so a runaway quote cannot fill the memory.
    auto new_field = [&]() -> CsvField* {
        if (record.size == max_fields) {
            fail("more than " + std::to_string(max_fields) + " fields");
            return nullptr;
        }
        if (record.size == record.fields.size()) record.fields.emplace_back();
        CsvField& f = record.fields[record.size++];
        f.text.clear();
        f.quoted = false;
        return &f;
    };
    CsvField* field = new_field();
    auto append = [&](char c) {
        if (++bytes > max_record_bytes_) fail("record longer than " + std::to_string(max_record_bytes_ >> 20) + " MiB");
        if (field && record.error.empty()) field->text.push_back(c);
    };

    enum class State { field_start, plain, quoted, after_quote } state = State::field_start;
    for (;;) {
        int c = get();
        if (state == State::quoted) {
            if (c == eof) {
                fail("unterminated quoted field (it runs to the end of the file)");
                return true;
            }
            if (c != '"') {
                append(static_cast<char>(c));
            } else if (peek() == '"') {
                get();
                append('"');
            } else {
                state = State::after_quote;
            }
            continue;
        }
        if (c == eof || c == '\n') return true;
        if (c == '\r') {
            if (peek() == '\n') get();
            return true;
        }
        if (c == static_cast<unsigned char>(delimiter_)) {
            field = new_field();
            state = State::field_start;
            continue;
        }
        if (state == State::field_start && c == '"') {
            if (field) field->quoted = true;
            state = State::quoted;
            continue;
        }
        if (state == State::after_quote) fail("text after a closing quote (a quote inside a field is written \"\")");
        state = State::plain;
        append(static_cast<char>(c));
    }
}

void write_csv_field(std::ostream& out, std::string_view text, bool force_quotes) {
    bool quote = force_quotes || text.find_first_of(",\"\r\n") != std::string_view::npos ||
                 (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.back() == ' ' ||
                                    text.back() == '\t'));
    if (!quote) {
        out << text;
        return;
    }
    out << '"';
    for (std::size_t start = 0;;) {
        auto q = text.find('"', start);
        out << text.substr(start, q == std::string_view::npos ? q : q + 1 - start);
        if (q == std::string_view::npos) break;
        out << '"';
        start = q + 1;
    }
    out << '"';
}

}  // namespace crmctl

namespace crmctl {

namespace {
bool formula_start(char c) { return std::string_view("=+-@\t\r").find(c) != std::string_view::npos; }
bool guarded(std::string_view text) {
    return text.size() > 1 && text[0] == '\'' && (formula_start(text[1]) || text[1] == '\'');
}
}  // namespace

std::string formula_guarded(std::string_view text) {
    if ((!text.empty() && formula_start(text[0])) || guarded(text)) return "'" + std::string(text);
    return std::string(text);
}

std::string formula_guard_removed(std::string text) {
    if (guarded(text)) text.erase(0, 1);
    return text;
}

}  // namespace crmctl
