// Argument checks shared by every entry point: strings (NULL, UTF-8) and ids.
#include "capi_internal.hpp"

#include "validate.hpp"

namespace crm::capi {

// The core's one UTF-8 decoder (validate.cpp): the C ABI is part of libcrm.
bool is_utf8(std::string_view s) noexcept { return detail::utf8_length(s).has_value(); }

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
