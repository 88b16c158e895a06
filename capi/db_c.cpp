// crm_db: open (database + service), migrate, schema version, ping, free.
#include "capi_internal.hpp"

#include <crm/database.hpp>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <limits>

using namespace crm::capi;

namespace {

// What crm_db_open() makes of its options: the C++ options of the database and of the service.
struct Options {
    crm::DatabaseOptions database;
    crm::AuthOptions auth;
};

// The bytes each version of crm_db_options has: up to the first field the next version appended.
std::size_t options_size(unsigned version) {
    switch (version) {
        case 1: return offsetof(crm_db_options, max_queued_hashes);
        case 2: return sizeof(crm_db_options);
        default: return 0;
    }
}

// The defaults, written once: from the C++ API's own (the C macro is checked against them).
crm_db_options defaults() {
    const crm::DatabaseOptions database;
    const crm::AuthOptions auth;
    crm_db_options o{};
    o.version = CRM_DB_OPTIONS_VERSION;
    o.pool_size = static_cast<unsigned>(database.pool_size);
    o.lease_timeout_ms = static_cast<unsigned>(database.lease_timeout.count());
    o.jwt_secret = nullptr;
    o.jwt_algorithm = auth.jwt_algorithm == crm::JwtAlgorithm::hs512   ? CRM_JWT_HS512
                      : auth.jwt_algorithm == crm::JwtAlgorithm::hs384 ? CRM_JWT_HS384
                                                                       : CRM_JWT_HS256;
    o.access_token_ttl_s = auth.access_token_ttl.count();
    o.refresh_token_ttl_s = auth.refresh_token_ttl.count();
    o.leeway_s = auth.leeway.count();
    o.password_opslimit = auth.password_opslimit;
    o.password_memlimit = auth.password_memlimit;
    o.max_concurrent_hashes = auth.max_concurrent_hashes;
    o.max_queued_hashes = auth.max_queued_hashes ? static_cast<int>(*auth.max_queued_hashes) : -1;
    o.login_max_failures = auth.login_max_failures;
    o.login_window_s = auth.login_window.count();
    return o;
}

std::size_t checked_size(unsigned version, const char* field) {
    std::size_t size = options_size(version);
    if (!size)
        throw invalid_argument(field, "must be a version from 1 to CRM_DB_OPTIONS_VERSION (" +
                                          std::to_string(CRM_DB_OPTIONS_VERSION) + ")");
    return size;
}

Options convert(const crm_db_options* given) {
    crm_db_options o = defaults();
    // A caller built against an older header has a shorter struct: read only the fields its
    // version has, and keep the defaults for the rest.
    if (given) std::memcpy(&o, given, checked_size(given->version, "opts.version"));
    Options out;
    out.database.pool_size = o.pool_size;
    out.database.lease_timeout = std::chrono::milliseconds(o.lease_timeout_ms);
    // NULL or "": no tokens (the core refuses token operations); a short secret is the core's error.
    if (o.jwt_secret) out.auth.jwt_secret = text(o.jwt_secret, "opts.jwt_secret");
    out.auth.jwt_algorithm = to_cpp(o.jwt_algorithm, "opts.jwt_algorithm");
    out.auth.access_token_ttl = std::chrono::seconds(o.access_token_ttl_s);
    out.auth.refresh_token_ttl = std::chrono::seconds(o.refresh_token_ttl_s);
    out.auth.leeway = std::chrono::seconds(o.leeway_s);
    out.auth.password_opslimit = o.password_opslimit;
    if (o.password_memlimit > std::numeric_limits<std::size_t>::max())
        throw invalid_argument("opts.password_memlimit", "is too large for this platform");
    out.auth.password_memlimit = static_cast<std::size_t>(o.password_memlimit);
    out.auth.max_concurrent_hashes = o.max_concurrent_hashes;
    if (o.max_queued_hashes < -1) throw invalid_argument("opts.max_queued_hashes", "must be -1 (the default) or more");
    if (o.max_queued_hashes >= 0) out.auth.max_queued_hashes = static_cast<unsigned>(o.max_queued_hashes);
    out.auth.login_max_failures = o.login_max_failures;
    out.auth.login_window = std::chrono::seconds(o.login_window_s);
    return out;
}

}  // namespace

extern "C" {

int crm_db_options_init(crm_db_options* opts, unsigned int version) {
    return guard([&] {
        if (!opts) throw invalid_argument("opts", "must not be NULL");
        std::size_t size = checked_size(version, "version");
        crm_db_options d = defaults();
        d.version = version;
        std::memcpy(opts, &d, size);  // nothing past the fields of that version
    });
}

int crm_db_open(crm_db** out, const char* url, const crm_db_options* opts) {
    return guard([&] {
        auto& result = out_param(out);
        std::string_view where = text(url, "url");
        Options options = convert(opts);
        auto database = crm::Database::open(where, options.database);
        crm_backend_t backend =
            database.backend() == crm::Backend::postgresql ? CRM_BACKEND_POSTGRESQL : CRM_BACKEND_SQLITE;
        result = make<crm_db>(crm::Service(std::move(database), std::move(options.auth)), backend).release();
    });
}

int crm_db_migrate(crm_db* db) {
    return guard([&] { service(db).database().migrate(); });
}

int crm_db_schema_version(int* out, crm_db* db) {
    return guard([&] {
        if (!out) throw invalid_argument("out", "must not be NULL");
        *out = 0;
        *out = service(db).database().schema_version();
    });
}

int crm_db_latest_schema_version(void) { return crm::Database::latest_schema_version(); }

int crm_db_ping(crm_db* db) {
    return guard([&] {
        if (!service(db).database().ping()) throw crm::Error(crm::Errc::unavailable, "the database cannot be reached");
    });
}

crm_backend_t crm_db_backend(const crm_db* db) { return db ? db->backend : CRM_BACKEND_INVALID; }

void crm_db_free(crm_db* db) { std::unique_ptr<crm_db> owned(db); }

}  // extern "C"
