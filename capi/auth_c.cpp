// Authentication: register, login, refresh, logout, authenticate, me; principals and tokens.
#include "capi_internal.hpp"

using namespace crm::capi;

namespace {

std::unique_ptr<crm_tokens> tokens_handle(crm::AuthResult&& result) {
    auto tokens = make<crm_tokens>();
    tokens->tokens = std::move(result.tokens);
    tokens->user = make<crm_user>(std::move(result.user));
    return tokens;
}

}  // namespace

extern "C" {

int crm_principal_system(crm_principal** out) {
    return guard([&] {
        auto& result = out_param(out);
        result = make<crm_principal>(crm::Principal::system()).release();
    });
}

const char* crm_principal_user_id(const crm_principal* principal) {
    return principal ? c_str_or_null(principal->user_id) : nullptr;
}

crm_role_t crm_principal_role(const crm_principal* principal) {
    return principal ? to_c(principal->principal.role()) : CRM_ROLE_INVALID;
}

int crm_principal_is_system(const crm_principal* principal) {
    return principal && principal->principal.is_system() ? 1 : 0;
}

void crm_principal_free(crm_principal* principal) { std::unique_ptr<crm_principal> owned(principal); }

int crm_auth_register(crm_tokens** out, crm_db* db, const char* email, const char* password, const char* name) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        crm::Registration registration{std::string(text(email, "email")), std::string(text(password, "password")),
                                       nullable_text(name, "name")};
        result = tokens_handle(svc.register_user(registration)).release();
    });
}

int crm_auth_login(crm_tokens** out, crm_db* db, const char* email, const char* password) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        result = tokens_handle(svc.login(text(email, "email"), text(password, "password"))).release();
    });
}

int crm_auth_login_from(crm_tokens** out, crm_db* db, const char* email, const char* password,
                        const char* client_address) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        auto address = nullable_text(client_address, "client_address");
        result = tokens_handle(svc.login(text(email, "email"), text(password, "password"), address.value_or("")))
                     .release();
    });
}

int crm_auth_refresh(crm_tokens** out, crm_db* db, const char* refresh_token) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        auto tokens = make<crm_tokens>();
        tokens->tokens = svc.refresh(text(refresh_token, "refresh_token"));
        result = tokens.release();
    });
}

int crm_auth_logout(crm_db* db, const char* refresh_token) {
    return guard([&] { service(db).logout(text(refresh_token, "refresh_token")); });
}

int crm_auth_authenticate(crm_principal** out, crm_db* db, const char* access_token) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        result = make<crm_principal>(svc.authenticate(text(access_token, "access_token"))).release();
    });
}

int crm_auth_me(crm_user** out, crm_db* db, const crm_principal* principal) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        result = make<crm_user>(svc.me(actor(principal))).release();
    });
}

const char* crm_tokens_access_token(const crm_tokens* tokens) {
    return tokens ? tokens->tokens.access_token.c_str() : nullptr;
}

const char* crm_tokens_refresh_token(const crm_tokens* tokens) {
    return tokens ? tokens->tokens.refresh_token.c_str() : nullptr;
}

const crm_user* crm_tokens_user(const crm_tokens* tokens) { return tokens ? tokens->user.get() : nullptr; }

void crm_tokens_free(crm_tokens* tokens) { std::unique_ptr<crm_tokens> owned(tokens); }

}  // extern "C"
