#include "http.hpp"

#include <boost/beast/http/status.hpp>
#include <fmt/format.h>

#include <ctime>

namespace crm_server {

namespace {

char lower_ascii(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    c = lower_ascii(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

template <class Fields>
const std::string* find_field(const Fields& fields, std::string_view name) {
    for (const auto& [key, value] : fields)
        if (iequals(key, name)) return &value;
    return nullptr;
}

// "Tue, 15 Nov 1994 08:12:31 GMT" (RFC 9110 5.6.7), from the C library: no locale is involved
// because the names are our own.
std::string http_date() {
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
                       tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
    return true;
}

bool Request::has_header(std::string_view name) const { return find_field(headers, name) != nullptr; }

std::string Request::get_header_value(std::string_view name) const {
    const std::string* value = find_field(headers, name);
    return value ? *value : std::string();
}

std::size_t Request::get_param_value_count(std::string_view name) const {
    std::size_t n = 0;
    for (const auto& [key, value] : params) n += key == name;
    return n;
}

std::string Request::get_param_value(std::string_view name, std::size_t i) const {
    for (const auto& [key, value] : params)
        if (key == name && i-- == 0) return value;
    return {};
}

void Response::set_header(std::string_view name, std::string value) {
    std::erase_if(headers, [&](const auto& field) { return iequals(field.first, name); });
    headers.emplace_back(std::string(name), std::move(value));
}

bool Response::has_header(std::string_view name) const { return find_field(headers, name) != nullptr; }

std::string Response::get_header_value(std::string_view name) const {
    const std::string* value = find_field(headers, name);
    return value ? *value : std::string();
}

void Response::set_content(std::string content, std::string_view content_type) {
    body = std::move(content);
    set_header("Content-Type", std::string(content_type));
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%' && i + 2 < text.size()) {
            int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
    return out;
}

void parse_target(std::string_view target, std::string& path, std::vector<std::pair<std::string, std::string>>& params) {
    // absolute-form (RFC 9112 3.2.2): a server must accept it; only the path and query matter here.
    if (auto scheme = target.find("://"); scheme != std::string_view::npos && target.front() != '/') {
        auto slash = target.find('/', scheme + 3);
        target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
    auto question = target.find('?');
    path = percent_decode(target.substr(0, question), false);
    params.clear();
    if (question == std::string_view::npos) return;
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        params.emplace_back(percent_decode(pair.substr(0, eq), true),
                            eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true));
    }
}

bool has_body(int status, std::string_view method) noexcept {
    return !(status < 200 || status == 204 || status == 304 || method == "HEAD");
}

std::string serialize_head(const Response& response, int request_version, bool keep_alive) {
    std::string out;
    out.reserve(512);
    auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(response.status));
    out.append("HTTP/1.1 ").append(std::to_string(response.status)).append(" ");
    out.append(reason.data(), reason.size()).append("\r\n");
    for (const auto& [name, value] : response.headers) out.append(name).append(": ").append(value).append("\r\n");
    bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
    if (!bodiless) out.append("Content-Length: ").append(std::to_string(response.body.size())).append("\r\n");
    out.append("Date: ").append(http_date()).append("\r\n");
    // HTTP/1.1 keeps the connection unless told; HTTP/1.0 closes it unless told.
    if (!keep_alive)
        out.append("Connection: close\r\n");
    else if (request_version == 10)
        out.append("Connection: keep-alive\r\n");
    out.append("\r\n");
    return out;
}

}  // namespace crm_server
