#include "validate.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace crm::detail {

std::optional<std::size_t> utf8_length(std::string_view s) noexcept {
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size(); ++count) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n;
        std::uint32_t cp;
        if (c < 0x80) n = 1, cp = c;
        else if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
        else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
        else return std::nullopt;
        if (i + n > s.size()) return std::nullopt;
        for (std::size_t k = 1; k < n; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        static constexpr std::uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
        i += n;
    }
    return count;
}

std::string normalize_email(std::string_view email) {
    auto first = email.find_first_not_of(" \t\r\n");
    auto last = email.find_last_not_of(" \t\r\n");
    std::string out(first == std::string_view::npos ? std::string_view{} : email.substr(first, last - first + 1));
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return out;
}

std::string default_name(const std::string& email) { return email.substr(0, email.find('@')); }

void Validator::fail(std::string_view field, std::string_view message) { errors_.add(field, message); }

void Validator::text(std::string_view field, std::string_view value, std::size_t max) {
    auto length = utf8_length(value);
    if (!length) return fail(field, "must be valid UTF-8");
    if (value.find('\0') != std::string_view::npos) return fail(field, "must not contain U+0000");
    if (max && *length > max) fail(field, fmt::format("must be at most {} characters", max));
}

void Validator::required_text(std::string_view field, std::string_view value, std::size_t max) {
    if (value.find_first_not_of(" \t\r\n") == std::string_view::npos) return fail(field, "is required");
    text(field, value, max);
}

void Validator::email(std::string_view field, std::string_view e) {
    if (e.empty()) return fail(field, "is required");
    text(field, e, max_email_length);
    auto at = e.find('@');
    bool shape = at != std::string_view::npos && at > 0 && e.find('@', at + 1) == std::string_view::npos &&
                 e.find_first_of(" \t\r\n") == std::string_view::npos;
    if (shape) {
        auto domain = e.substr(at + 1);
        auto dot = domain.find('.');
        shape = dot != std::string_view::npos && dot > 0 && domain.back() != '.';
    }
    if (!shape) fail(field, "must be a valid email address");
}

void Validator::password(std::string_view field, std::string_view value) {
    auto length = utf8_length(value);
    if (!length) return fail(field, "must be valid UTF-8");
    if (value.find('\0') != std::string_view::npos) return fail(field, "must not contain U+0000");
    if (*length < min_password_length || *length > max_password_length)
        fail(field, "must be between 8 and 1024 characters");
}

void Validator::json_object(std::string_view field, std::string_view value) {
    auto parsed = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return fail(field, "must be valid JSON");
    if (!parsed.is_object()) fail(field, "must be a JSON object or null");
    // PostgreSQL's jsonb cannot store U+0000, so no backend accepts it.
    if (value.find('\0') != std::string_view::npos || value.find("\\u0000") != std::string_view::npos)
        fail(field, "must not contain U+0000");
}

void Validator::page(const PageRequest& page) {
    if (page.page < 1 || page.page > PageRequest::max_page) fail("page", "must be an integer from 1 to 1000000000");
    if (page.limit < 1 || page.limit > PageRequest::max_limit) fail("limit", "must be an integer from 1 to 100");
    if (page.cursor && page.page != 1) fail("page", "cannot be combined with cursor");
}

}  // namespace crm::detail
