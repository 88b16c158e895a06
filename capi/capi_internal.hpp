// Private to the C ABI: the structs behind the opaque handles of crm.h, the one exception
// barrier, the one table from crm::Errc to crm_status_t, and argument conversion.
//
// Every entry point that can fail has the same shape:
//
//     int crm_noun_verb(crm_thing **out, crm_db *db, ..., const char *id) {
//         return crm::capi::guard([&] {
//             auto& result = crm::capi::out_param(out);   // *out = NULL first, whatever happens next
//             auto& service = crm::capi::service(db);
//             ...
//             result = crm::capi::make<crm_thing>(service.verb(...)).release();
//         });
//     }
//
// guard() catches everything (no exception crosses the ABI), records crm_error_last() and returns
// the status. Arguments are checked here (NULL, UTF-8, enum ranges); every rule about the values
// themselves is the core's.
#pragma once

#include "crm.h"

#include <crm/error.hpp>
#include <crm/models.hpp>
#include <crm/service.hpp>
#include <crm/types.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// ---- The handles -------------------------------------------------------------------------

struct crm_error {
    int code = CRM_OK;
    std::string message;
    std::vector<crm::FieldError> fields;
    const char* fallback = nullptr;  // set when recording the message itself ran out of memory
    std::int64_t retry_after_s = 0;  // crm_error_retry_after(); 0: not said
};

struct crm_db {
    // A constructor rather than an aggregate: make<crm_db>(service, backend) would otherwise need
    // C++20 parenthesised aggregate initialisation, which clang before 16 (the fuzz build) lacks.
    crm_db(crm::Service s, crm_backend_t b) : service(std::move(s)), backend(b) {}
    crm::Service service;
    crm_backend_t backend;
};

struct crm_principal {
    explicit crm_principal(const crm::Principal& p)
        : principal(p), user_id(p.is_system() ? std::string() : p.user_id().to_string()) {}
    crm::Principal principal;
    std::string user_id;  // canonical text; empty for the system principal
};

struct crm_user {
    explicit crm_user(crm::User u);
    crm::User user;
    std::string id, created_at, updated_at;
};

struct crm_lead {
    explicit crm_lead(crm::Lead l);
    crm::Lead lead;
    std::string id, owner_id, created_at, updated_at;  // owner_id empty when unowned
};

struct crm_activity {
    explicit crm_activity(crm::Activity a);
    crm::Activity activity;
    std::string id, lead_id, created_by, created_at, updated_at;  // created_by empty when null
};

struct crm_tokens {
    crm::Tokens tokens;
    std::unique_ptr<crm_user> user;  // login and register only
};

template <class Handle>
struct crm_page_of {
    std::vector<Handle> items;
    std::int64_t page = 0, limit = 0, total = 0, total_pages = 0;  // total(_pages) -1: not counted
    std::optional<std::string> next_cursor;
};
struct crm_user_page : crm_page_of<crm_user> {};
struct crm_lead_page : crm_page_of<crm_lead> {};
struct crm_activity_page : crm_page_of<crm_activity> {};

struct crm_user_fields {
    crm::UserUpdate update;
};
struct crm_lead_fields {
    crm::LeadChanges changes;
};
struct crm_activity_fields {
    crm::ActivityUpdate update;
};
struct crm_lead_filter {
    crm::LeadFilter filter;
};

namespace crm::capi {

// ---- Errors ------------------------------------------------------------------------------

/// The calling thread's crm_error_last().
[[nodiscard]] crm_error& last_error() noexcept;
/// The one table: crm::Errc -> crm_status_t.
[[nodiscard]] int status_of(Errc code) noexcept;
/// Records the exception being handled in crm_error_last() and returns its status. Call only
/// from a catch block.
[[nodiscard]] int record_current_exception() noexcept;
/// Records success (CRM_OK, no message) and returns CRM_OK.
int record_success() noexcept;

/// The exception barrier around the body of every entry point that can fail.
template <class Body>
[[nodiscard]] int guard(Body&& body) noexcept {
    try {
        body();
    } catch (...) {
        return record_current_exception();
    }
    return record_success();
}

/// An Error(invalid) naming the argument: "<argument> <problem>".
[[nodiscard]] Error invalid_argument(std::string_view argument, std::string_view problem);

// ---- Arguments ---------------------------------------------------------------------------

/// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
[[nodiscard]] bool is_utf8(std::string_view text) noexcept;

/// Checks the out-parameter, clears *out and returns it for the result. Call it first, in a
/// statement of its own: in `out_param(out) = make<T>().release()` the right side runs first
/// (C++17 sequences it before the left) and its handle leaks when `out` is NULL.
template <class T>
T*& out_param(T** out, std::string_view argument = "out") {
    if (!out) throw invalid_argument(argument, "must not be NULL");
    *out = nullptr;
    return *out;
}

/// A handle argument that must not be NULL.
template <class T>
T& handle(T* h, std::string_view argument) {
    if (!h) throw invalid_argument(argument, "must not be NULL");
    return *h;
}

[[nodiscard]] inline Service& service(crm_db* db) { return handle(db, "db").service; }
[[nodiscard]] inline const Principal& actor(const crm_principal* p) { return handle(p, "actor").principal; }

/// A required string: not NULL, valid UTF-8.
[[nodiscard]] std::string_view text(const char* s, std::string_view argument);
/// A nullable string: NULL is nullopt; otherwise valid UTF-8.
[[nodiscard]] std::optional<std::string> nullable_text(const char* s, std::string_view argument);
/// A required UUID in canonical text, either letter case.
[[nodiscard]] Uuid uuid(const char* s, std::string_view argument);

// C enums <-> C++ enums: one table each, indexed by the C value. A C caller may pass any int
// as an enum, and in C++ loading an enum object whose value is outside its enumerators' range is
// undefined: C enum arguments are therefore taken by reference and read as integers, never
// copied as enums (UBSan's -fsanitize=enum checks this).
[[nodiscard]] Role to_cpp(const crm_role_t& value, std::string_view argument);
[[nodiscard]] LeadStatus to_cpp(const crm_lead_status_t& value, std::string_view argument);
[[nodiscard]] ActivityType to_cpp(const crm_activity_type_t& value, std::string_view argument);
[[nodiscard]] JwtAlgorithm to_cpp(const crm_jwt_algorithm_t& value, std::string_view argument);
/// The order a (sort, direction) pair of crm_lead_list() asks for.
[[nodiscard]] LeadSort to_cpp(const crm_lead_sort_t& sort, const crm_sort_direction_t& direction);
[[nodiscard]] crm_role_t to_c(Role value) noexcept;
[[nodiscard]] crm_lead_status_t to_c(LeadStatus value) noexcept;
[[nodiscard]] crm_activity_type_t to_c(ActivityType value) noexcept;

// ---- Results -----------------------------------------------------------------------------

/// A new handle for the caller: `make<crm_user>(user).release()`.
template <class T, class... Args>
[[nodiscard]] std::unique_ptr<T> make(Args&&... args) {
    return std::make_unique<T>(std::forward<Args>(args)...);
}

/// A list handle from a page of models.
template <class List, class Model>
[[nodiscard]] std::unique_ptr<List> make_page(Page<Model>&& page) {
    auto list = std::make_unique<List>();
    list->items.reserve(page.items.size());
    for (auto& item : page.items) list->items.emplace_back(std::move(item));
    list->page = page.page;
    list->limit = page.limit;
    list->total = page.total.value_or(-1);
    list->total_pages = page.total_pages().value_or(-1);
    list->next_cursor = std::move(page.next_cursor);
    return list;
}

/// A crm_page_request (NULL: the defaults) as the core's PageRequest.
[[nodiscard]] PageRequest page_request(const crm_page_request* request);

/// The next cursor of a page handle, borrowed; NULL on the last page or for NULL.
template <class List>
[[nodiscard]] const char* next_cursor_of(const List* list) noexcept {
    return list && list->next_cursor ? list->next_cursor->c_str() : nullptr;
}

/// A copy of `text` in memory released by crm_free(); throws std::bad_alloc.
[[nodiscard]] char* copy_for_caller(std::string_view text);

/// Milliseconds since the Unix epoch.
[[nodiscard]] inline std::int64_t epoch_ms(Timestamp t) noexcept { return t.time_since_epoch().count(); }

/// A borrowed C string for a nullable member: NULL when empty (ids) or nullopt.
[[nodiscard]] inline const char* c_str_or_null(const std::string& s) noexcept { return s.empty() ? nullptr : s.c_str(); }
[[nodiscard]] inline const char* c_str_or_null(const std::optional<std::string>& s) noexcept {
    return s ? s->c_str() : nullptr;
}

}  // namespace crm::capi
