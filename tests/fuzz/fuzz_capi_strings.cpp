// Fuzz target: the C ABI entry points that take strings and JSON (capi/crm.h), on one
// `sqlite::memory:` database opened once per process.
//
// Input: byte 0 chooses page/limit values; the rest is split at NUL bytes into C strings
//   s0 title   s1 description   s2 source   s3 an id (owner, lead, user)   s4 metadata JSON
//   s5 q       s6 a sort key    s7 email    s8 password   s9 a token   s10 an enum name   s11 name
// (a missing string is NULL). Each input creates at most one user, one lead and one activity and
// deletes them again, and resets the one fixture user it may change, so that every input starts
// from the same database and a crash replays alone.
// Properties: no crash; every call returns CRM_OK or one of the documented negative statuses; a
// failure leaves a non-empty, valid UTF-8 crm_error_last(); every *_to_json() is a JSON object;
// the strings a lead hands back are the ones given.
#include "fuzz_common.hpp"

#include "crm.h"

#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace {

bool is_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || s.size() - i < n) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

// Every status must be one of crm.h's; a failure must explain itself.
int checked(int status) {
    CRM_FUZZ_CHECK(status <= 0 && status >= CRM_ETHROTTLED);  // the lowest status crm.h defines
    // Bad input is a typed error: never "a bug" (internal) nor a lost database (unavailable).
    CRM_FUZZ_CHECK(status != CRM_EINTERNAL && status != CRM_EUNAVAILABLE);
    if (status != CRM_OK) {
        const crm_error* e = crm_error_last();
        CRM_FUZZ_CHECK(e != nullptr);
        CRM_FUZZ_CHECK(crm_error_code(e) == status);
        const char* message = crm_error_message(e);
        CRM_FUZZ_CHECK(message != nullptr && *message != '\0' && is_utf8(message));
        for (std::size_t i = 0; i < crm_error_field_count(e); ++i) {
            CRM_FUZZ_CHECK(crm_error_field_name(e, i) != nullptr && is_utf8(crm_error_field_name(e, i)));
            CRM_FUZZ_CHECK(crm_error_field_message(e, i) != nullptr && is_utf8(crm_error_field_message(e, i)));
        }
    }
    return status;
}

template <class Handle>
void check_json(int (*to_json)(char**, const Handle*), const Handle* handle) {
    char* text = nullptr;
    CRM_FUZZ_CHECK(checked(to_json(&text, handle)) == CRM_OK);
    auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    CRM_FUZZ_CHECK(parsed.is_object());
    crm_free(text);
}

bool same(const char* got, const char* given) {
    if (!got || !given) return got == given;
    return std::string_view(got) == given;
}

struct Fixture {
    crm_db* db = nullptr;
    crm_principal* system = nullptr;
    crm_principal* sales = nullptr;  // a SALES user, from an access token
    std::string sales_id;
    std::string scratch_id;  // a user that user updates may change; reset after each input
    static constexpr const char* scratch_email = "scratch@example.com";
    static constexpr const char* scratch_password = "scratch-password";

    Fixture() {
        crm_db_options o;
        crm_db_options_init(&o, CRM_DB_OPTIONS_VERSION);
        o.jwt_secret = "fuzzing-secret-0123456789abcdef-0123456789";
        o.access_token_ttl_s = 10 * 365 * 24 * 3600;  // long runs keep their principal
        o.password_opslimit = 1;                       // libsodium's minimum: fuzzing is not about hashing
        o.password_memlimit = 8192;
        o.max_concurrent_hashes = 1;
        CRM_FUZZ_CHECK(crm_db_open(&db, "sqlite::memory:", &o) == CRM_OK);
        CRM_FUZZ_CHECK(crm_db_migrate(db) == CRM_OK);
        CRM_FUZZ_CHECK(crm_principal_system(&system) == CRM_OK);
        crm_tokens* tokens = nullptr;
        CRM_FUZZ_CHECK(crm_auth_register(&tokens, db, "sales@example.com", "sales-password", "Sales") == CRM_OK);
        CRM_FUZZ_CHECK(crm_auth_authenticate(&sales, db, crm_tokens_access_token(tokens)) == CRM_OK);
        sales_id = crm_principal_user_id(sales);
        crm_tokens_free(tokens);
        crm_user* scratch = nullptr;
        CRM_FUZZ_CHECK(crm_user_create(&scratch, db, system, scratch_email, scratch_password, "Scratch",
                                       CRM_ROLE_SALES) == CRM_OK);
        scratch_id = crm_user_id(scratch);
        crm_user_free(scratch);
    }

    void reset_scratch() const {
        crm_user_fields* f = nullptr;
        crm_user_fields_new(&f);
        crm_user_fields_set_name(f, "Scratch");
        crm_user_fields_set_email(f, scratch_email);
        crm_user_fields_set_role(f, CRM_ROLE_SALES);
        crm_user* u = nullptr;
        CRM_FUZZ_CHECK(crm_user_update(&u, db, system, scratch_id.c_str(), f) == CRM_OK);
        crm_user_free(u);
        crm_user_fields_free(f);
    }
};

// Page numbers and limits worth trying: the edges of both ranges.
constexpr std::array<std::int64_t, 8> pages{1, 2, 0, -1, 1'000'000'000, 1'000'000'001, INT64_MAX, INT64_MIN};
constexpr std::array<std::int64_t, 8> limits{20, 1, 100, 0, 101, -1, INT64_MAX, INT64_MIN};

// Sets the lead fields from s0..s4, s10; returns which text setters took their value.
struct Taken {
    bool title, description, source;
};
Taken lead_fields(crm_lead_fields* f, const std::vector<const char*>& s) {
    Taken taken{};
    taken.title = checked(crm_lead_fields_set_title(f, s[0])) == CRM_OK;
    taken.description = checked(crm_lead_fields_set_description(f, s[1])) == CRM_OK;
    taken.source = checked(crm_lead_fields_set_source(f, s[2])) == CRM_OK;
    if (s[3]) checked(crm_lead_fields_set_owner_id(f, s[3]));
    checked(crm_lead_fields_set_metadata(f, s[4]));
    crm_lead_status_t status;
    if (s[10] && checked(crm_lead_status_parse(&status, s[10])) == CRM_OK)
        checked(crm_lead_fields_set_status(f, status));
    return taken;
}

void leads(const Fixture& fx, const crm_principal* actor, const std::vector<const char*>& s, std::int64_t page,
           std::int64_t limit) {
    crm_lead_fields* f = nullptr;
    CRM_FUZZ_CHECK(crm_lead_fields_new(&f) == CRM_OK);
    const Taken taken = lead_fields(f, s);
    crm_lead* lead = nullptr;
    if (checked(crm_lead_create(&lead, fx.db, actor, f)) == CRM_OK) {
        // A value a setter took is stored as given (a refused one left the field unset).
        CRM_FUZZ_CHECK(taken.title && same(crm_lead_title(lead), s[0]));
        if (taken.description) CRM_FUZZ_CHECK(same(crm_lead_description(lead), s[1]));
        if (taken.source) CRM_FUZZ_CHECK(same(crm_lead_source(lead), s[2]));
        check_json(crm_lead_to_json, static_cast<const crm_lead*>(lead));
        std::string id = crm_lead_id(lead);
        crm_lead* updated = nullptr;
        if (checked(crm_lead_update(&updated, fx.db, actor, id.c_str(), f)) == CRM_OK)
            check_json(crm_lead_to_json, static_cast<const crm_lead*>(updated));
        crm_lead_free(updated);

        crm_activity_type_t type = CRM_ACTIVITY_NOTE;
        if (s[10]) checked(crm_activity_type_parse(&type, s[10]));
        crm_activity* activity = nullptr;
        if (checked(crm_activity_create(&activity, fx.db, actor, id.c_str(), type, s[1])) == CRM_OK) {
            CRM_FUZZ_CHECK(same(crm_activity_body(activity), s[1]));
            check_json(crm_activity_to_json, static_cast<const crm_activity*>(activity));
            crm_activity_fields* af = nullptr;
            crm_activity_fields_new(&af);
            checked(crm_activity_fields_set_body(af, s[0]));
            if (s[3]) checked(crm_activity_fields_set_lead_id(af, s[3]));
            crm_activity* changed = nullptr;
            checked(crm_activity_update(&changed, fx.db, actor, crm_activity_id(activity), af));
            crm_activity_free(changed);
            crm_activity_fields_free(af);
        }
        crm_activity_free(activity);
        crm_activity_page* activities = nullptr;
        const crm_page_request request = {CRM_PAGE_REQUEST_VERSION, page, limit, nullptr, 0};
        if (checked(crm_activity_list(&activities, fx.db, actor, id.c_str(), &request)) == CRM_OK)
            check_json(crm_activity_page_to_json, static_cast<const crm_activity_page*>(activities));
        crm_activity_page_free(activities);
        CRM_FUZZ_CHECK(checked(crm_lead_delete(fx.db, fx.system, id.c_str())) == CRM_OK);
    }
    crm_lead_free(lead);
    crm_lead_fields_free(f);

    // Lookups by a fuzzed id.
    if (s[3]) {
        crm_lead* found = nullptr;
        CRM_FUZZ_CHECK(checked(crm_lead_get(&found, fx.db, actor, s[3])) != CRM_OK);  // every lead is gone
        crm_activity* activity = nullptr;
        CRM_FUZZ_CHECK(checked(crm_activity_get(&activity, fx.db, actor, s[3])) != CRM_OK);
        CRM_FUZZ_CHECK(checked(crm_lead_delete(fx.db, actor, s[3])) != CRM_OK);
    }

    // A list with fuzzed filter and sort.
    crm_lead_filter* filter = nullptr;
    CRM_FUZZ_CHECK(crm_lead_filter_new(&filter) == CRM_OK);
    checked(crm_lead_filter_set_owner_id(filter, s[3]));
    if (s[2]) checked(crm_lead_filter_set_source(filter, s[2]));
    if (s[5]) checked(crm_lead_filter_set_query(filter, s[5]));
    crm_lead_status_t status;
    if (s[10] && crm_lead_status_parse(&status, s[10]) == CRM_OK) checked(crm_lead_filter_set_statuses(filter, &status, 1));
    // The sort key by name (the parser fuzzed too), the direction from the name's first byte.
    crm_lead_sort_t sort = CRM_LEAD_SORT_CREATED_AT;
    if (s[6]) checked(crm_lead_sort_parse(&sort, s[6]));
    const crm_sort_direction_t direction = s[6] && (s[6][0] & 1) ? CRM_SORT_ASCENDING : CRM_SORT_DESCENDING;
    const crm_page_request request = {CRM_PAGE_REQUEST_VERSION, page, limit, nullptr, 0};
    crm_lead_page* list = nullptr;
    if (checked(crm_lead_list(&list, fx.db, actor, filter, sort, direction, &request)) == CRM_OK) {
        CRM_FUZZ_CHECK(crm_lead_page_count(list) == 0);
        check_json(crm_lead_page_to_json, static_cast<const crm_lead_page*>(list));
    }
    crm_lead_page_free(list);
    crm_lead_filter_free(filter);
}

void users(const Fixture& fx, const std::vector<const char*>& s, std::int64_t page, std::int64_t limit) {
    crm_role_t role;
    if (s[10]) checked(crm_role_parse(&role, s[10]));
    crm_jwt_algorithm_t algorithm;
    if (s[10]) checked(crm_jwt_algorithm_parse(&algorithm, s[10]));

    // Register, log in, rotate, authenticate, log out, delete: one user at most per input.
    crm_tokens* tokens = nullptr;
    if (checked(crm_auth_register(&tokens, fx.db, s[7], s[8], s[11])) == CRM_OK) {
        check_json(crm_tokens_to_json, static_cast<const crm_tokens*>(tokens));
        std::string user_id = crm_user_id(crm_tokens_user(tokens));
        // Login may be refused by throttling (earlier inputs' failed logins for this email): only
        // what follows a successful login is checked.
        crm_tokens* login = nullptr;
        if (checked(crm_auth_login(&login, fx.db, s[7], s[8])) == CRM_OK) {
            crm_tokens* rotated = nullptr;
            CRM_FUZZ_CHECK(checked(crm_auth_refresh(&rotated, fx.db, crm_tokens_refresh_token(login))) == CRM_OK);
            crm_principal* me = nullptr;
            CRM_FUZZ_CHECK(checked(crm_auth_authenticate(&me, fx.db, crm_tokens_access_token(rotated))) == CRM_OK);
            crm_user* user = nullptr;
            CRM_FUZZ_CHECK(checked(crm_auth_me(&user, fx.db, me)) == CRM_OK);
            check_json(crm_user_to_json, static_cast<const crm_user*>(user));
            crm_user_free(user);
            crm_principal_free(me);
            CRM_FUZZ_CHECK(checked(crm_auth_logout(fx.db, crm_tokens_refresh_token(rotated))) == CRM_OK);
            crm_tokens_free(rotated);
        }
        crm_tokens_free(login);
        CRM_FUZZ_CHECK(checked(crm_user_delete(fx.db, fx.system, user_id.c_str())) == CRM_OK);
    } else {
        crm_tokens* login = nullptr;
        checked(crm_auth_login(&login, fx.db, s[7], s[8]));
        crm_tokens_free(login);
    }
    crm_tokens_free(tokens);

    // Fuzzed tokens.
    crm_principal* principal = nullptr;
    CRM_FUZZ_CHECK(checked(crm_auth_authenticate(&principal, fx.db, s[9])) != CRM_OK);
    crm_tokens* refreshed = nullptr;
    CRM_FUZZ_CHECK(checked(crm_auth_refresh(&refreshed, fx.db, s[9])) != CRM_OK);
    checked(crm_auth_logout(fx.db, s[9]));

    // Changes to the scratch user, by an admin (the system principal) and by the user himself.
    crm_user_fields* f = nullptr;
    CRM_FUZZ_CHECK(crm_user_fields_new(&f) == CRM_OK);
    if (s[11]) checked(crm_user_fields_set_name(f, s[11]));
    if (s[7]) checked(crm_user_fields_set_email(f, s[7]));
    if (s[8]) checked(crm_user_fields_set_password(f, s[8], s[8]));
    crm_user* user = nullptr;
    if (checked(crm_user_update(&user, fx.db, fx.system, fx.scratch_id.c_str(), f)) == CRM_OK) {
        check_json(crm_user_to_json, static_cast<const crm_user*>(user));
        fx.reset_scratch();
    }
    crm_user_free(user);
    user = nullptr;
    checked(crm_user_update(&user, fx.db, fx.sales, fx.scratch_id.c_str(), f));  // another user's: refused
    crm_user_free(user);
    crm_user_fields_free(f);

    if (s[3]) {
        crm_user* found = nullptr;
        checked(crm_user_get(&found, fx.db, fx.system, s[3]));
        crm_user_free(found);
    }
    crm_user_page* list = nullptr;
    const crm_page_request request = {CRM_PAGE_REQUEST_VERSION, page, limit, nullptr, 0};
    if (checked(crm_user_list(&list, fx.db, fx.system, &request)) == CRM_OK)
        check_json(crm_user_page_to_json, static_cast<const crm_user_page*>(list));
    crm_user_page_free(list);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1 || size > 4096) return -1;  // bounded work per input
    static const Fixture fx;

    const std::int64_t page = pages[data[0] & 7u];
    const std::int64_t limit = limits[(data[0] >> 3) & 7u];
    std::vector<std::string> parts;
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    for (std::size_t start = 0; parts.size() < 12;) {
        auto nul = rest.find('\0', start);
        if (nul == std::string_view::npos) {
            if (start < rest.size() || start == 0) parts.emplace_back(rest.substr(start));
            break;
        }
        parts.emplace_back(rest.substr(start, nul - start));
        start = nul + 1;
    }
    std::vector<const char*> s(12, nullptr);
    for (std::size_t i = 0; i < parts.size(); ++i) s[i] = parts[i].c_str();

    const crm_principal* actor = (data[0] & 0x40u) ? fx.sales : fx.system;
    leads(fx, actor, s, page, limit);
    if (data[0] & 0x80u) users(fx, s, page, limit);
    return 0;
}
