// crm_error_last(), the one table from crm::Errc to crm_status_t, the exception barrier's catch
// side, and crm_free().
#include "capi_internal.hpp"

#include <cstdlib>
#include <exception>
#include <new>

namespace crm::capi {

namespace {

// The one mapping from the C++ error codes to the C statuses (one to one; append only).
constexpr std::array<std::pair<Errc, int>, 8> status_table{{
    {Errc::not_found, CRM_ENOTFOUND},
    {Errc::conflict, CRM_ECONFLICT},
    {Errc::invalid, CRM_EINVALID},
    {Errc::unauthorized, CRM_EUNAUTHORIZED},
    {Errc::forbidden, CRM_EFORBIDDEN},
    {Errc::unavailable, CRM_EUNAVAILABLE},
    {Errc::internal, CRM_EINTERNAL},
    {Errc::throttled, CRM_ETHROTTLED},
}};

constexpr std::array<std::pair<int, const char*>, 10> status_names{{
    {CRM_OK, "CRM_OK"},
    {CRM_ENOTFOUND, "CRM_ENOTFOUND"},
    {CRM_ECONFLICT, "CRM_ECONFLICT"},
    {CRM_EINVALID, "CRM_EINVALID"},
    {CRM_EUNAUTHORIZED, "CRM_EUNAUTHORIZED"},
    {CRM_EFORBIDDEN, "CRM_EFORBIDDEN"},
    {CRM_EUNAVAILABLE, "CRM_EUNAVAILABLE"},
    {CRM_EINTERNAL, "CRM_EINTERNAL"},
    {CRM_ENOMEM, "CRM_ENOMEM"},
    {CRM_ETHROTTLED, "CRM_ETHROTTLED"},
}};

// Records an error whose message is a literal: cannot fail.
int record_static(int code, const char* message) noexcept {
    crm_error& e = last_error();
    e.code = code;
    e.message.clear();
    e.fields.clear();
    e.fallback = message;
    e.retry_after_s = 0;
    return code;
}

int record(int code, const char* message, const std::vector<FieldError>& fields,
           std::int64_t retry_after_s = 0) noexcept {
    crm_error& e = last_error();
    try {
        e.code = code;
        e.retry_after_s = retry_after_s;
        e.fallback = nullptr;
        e.message = message;
        e.fields = fields;
        return code;
    } catch (...) {
        return record_static(CRM_ENOMEM, "out of memory");
    }
}

}  // namespace

crm_error& last_error() noexcept {
    thread_local crm_error error;
    return error;
}

int status_of(Errc code) noexcept {
    for (const auto& [errc, status] : status_table)
        if (errc == code) return status;
    return CRM_EINTERNAL;
}

int record_current_exception() noexcept {
    try {
        throw;
    } catch (const Error& e) {
        return record(status_of(e.code()), e.what(), e.field_errors(),
                      e.retry_after() ? static_cast<std::int64_t>(e.retry_after()->count()) : 0);
    } catch (const std::bad_alloc&) {
        return record_static(CRM_ENOMEM, "out of memory");
    } catch (...) {
        // Whatever else escaped the core may carry SQL text or other internals: not shown.
        return record_static(CRM_EINTERNAL, "internal error");
    }
}

int record_success() noexcept {
    crm_error& e = last_error();
    e.code = CRM_OK;
    e.message.clear();
    e.fields.clear();
    e.fallback = nullptr;
    e.retry_after_s = 0;
    return CRM_OK;
}

Error invalid_argument(std::string_view argument, std::string_view problem) {
    return Error::invalid_field(std::string(argument), std::string(problem));
}

char* copy_for_caller(std::string_view text) {
    auto* p = static_cast<char*>(std::malloc(text.size() + 1));
    if (!p) throw std::bad_alloc();
    text.copy(p, text.size());
    p[text.size()] = '\0';
    return p;
}

}  // namespace crm::capi

using namespace crm::capi;

extern "C" {

const char* crm_status_name(int status) {
    for (const auto& [value, name] : status_names)
        if (value == status) return name;
    return nullptr;
}

const crm_error* crm_error_last(void) { return &last_error(); }

int crm_error_code(const crm_error* error) { return error ? error->code : CRM_OK; }

const char* crm_error_message(const crm_error* error) {
    if (!error) return "";
    return error->fallback ? error->fallback : error->message.c_str();
}

size_t crm_error_field_count(const crm_error* error) { return error ? error->fields.size() : 0; }

const char* crm_error_field_name(const crm_error* error, size_t i) {
    return error && i < error->fields.size() ? error->fields[i].field.c_str() : nullptr;
}

const char* crm_error_field_message(const crm_error* error, size_t i) {
    return error && i < error->fields.size() ? error->fields[i].message.c_str() : nullptr;
}

int64_t crm_error_retry_after(const crm_error* error) { return error ? error->retry_after_s : 0; }

void crm_free(void* ptr) { std::free(ptr); }

}  // extern "C"
