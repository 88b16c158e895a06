// Argument checks shared by every entry point: strings (NULL, UTF-8) and ids.
#include "capi_internal.hpp"

namespace crm::capi {

bool is_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n;
        std::uint32_t cp;
        if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1Fu;
        else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0Fu;
        else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07u;
        else return false;  // a continuation byte or 0xF8..0xFF where a sequence should start
        if (s.size() - i < n) return false;
        for (std::size_t k = 1; k < n; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        static constexpr std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < smallest[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n;
    }
    return true;
}

std::string_view text(const char* s, std::string_view argument) {
    if (!s) throw invalid_argument(argument, "must not be NULL");
    std::string_view view(s);
    if (!is_utf8(view)) throw invalid_argument(argument, "must be valid UTF-8");
    return view;
}

std::optional<std::string> nullable_text(const char* s, std::string_view argument) {
    if (!s) return std::nullopt;
    return std::string(text(s, argument));
}

Uuid uuid(const char* s, std::string_view argument) { return Uuid::parse_or_throw(text(s, argument), argument); }

PageRequest page_request(const crm_page_request* request) {
    if (!request) return PageRequest{};
    // Version 1 is every field there is; a later version appends fields (see crm_db_options).
    if (request->version < 1 || request->version > CRM_PAGE_REQUEST_VERSION)
        throw invalid_argument("request.version",
                               "must be CRM_PAGE_REQUEST_VERSION (" + std::to_string(CRM_PAGE_REQUEST_VERSION) + ")");
    PageRequest page{request->page, request->limit};
    if (request->cursor) page.cursor = std::string(text(request->cursor, "request.cursor"));
    page.with_total = request->with_total != 0;
    return page;
}

}  // namespace crm::capi

extern "C" int crm_page_request_init(crm_page_request* request) {
    return crm::capi::guard([&] {
        if (!request) throw crm::capi::invalid_argument("request", "must not be NULL");
        *request = crm_page_request CRM_PAGE_REQUEST_INIT;
    });
}
