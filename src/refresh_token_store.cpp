// SQL for "RefreshTokens": only hashes of the secrets are stored.
#include "store_common.hpp"

namespace crm::detail::refresh_token_store {

void insert(Lease& lease, const RefreshToken& t) {
    std::string id = t.id.to_string(), user = t.user_id.to_string(), expires = format_timestamp(t.expires_at);
    std::string created = format_timestamp(t.created_at), updated = format_timestamp(t.updated_at);
    NullableText revoked(t.revoked_at ? std::optional(format_timestamp(*t.revoked_at)) : std::nullopt);
    NullableText replaced(t.replaced_by);
    lease.sql() << R"(INSERT INTO "RefreshTokens" (id, "userId", token, "expiresAt", "revokedAt", "replacedBy",
                      "createdAt", "updatedAt")
                      VALUES (:id, :user, :token, :expires, :revoked, :replaced, :created, :updated))",
        soci::use(id), soci::use(user), soci::use(t.token_hash), soci::use(expires),
        soci::use(revoked.value, revoked.ind), soci::use(replaced.value, replaced.ind), soci::use(created),
        soci::use(updated);
}

std::optional<RefreshToken> find_by_hash_for_update(Lease& lease, const std::string& token_hash) {
    std::string id, user, expires, created, updated, key = token_hash;
    NullableText revoked, replaced;
    std::optional<RefreshToken> found;
    for_each_row(
        lease.sql(),
        std::string(R"(SELECT id, "userId", "expiresAt", "revokedAt", "replacedBy", "createdAt", "updatedAt"
                       FROM "RefreshTokens" WHERE token = :token)") +
            for_update_clause(lease, true),
        [&](soci::statement& st) {
            st.exchange(soci::into(id));
            st.exchange(soci::into(user));
            st.exchange(soci::into(expires));
            st.exchange(soci::into(revoked.value, revoked.ind));
            st.exchange(soci::into(replaced.value, replaced.ind));
            st.exchange(soci::into(created));
            st.exchange(soci::into(updated));
            st.exchange(soci::use(key, "token"));
        },
        [&] {
            found = RefreshToken{uuid_from_db(id),         uuid_from_db(user),     token_hash,
                                 timestamp_from_db(expires), revoked.timestamp(), replaced.uuid(),
                                 timestamp_from_db(created), timestamp_from_db(updated)};
        });
    return found;
}

bool mark_replaced(Lease& lease, const Uuid& id, const Uuid& replaced_by, Timestamp now) {
    std::string key = id.to_string(), successor = replaced_by.to_string(), at = format_timestamp(now);
    return execute_counting(lease.sql(),
                            R"(UPDATE "RefreshTokens" SET "revokedAt" = :at, "replacedBy" = :successor,
                               "updatedAt" = :at2 WHERE id = :id AND "revokedAt" IS NULL)",
                            [&](soci::statement& st) {
                                st.exchange(soci::use(at, "at"));
                                st.exchange(soci::use(successor, "successor"));
                                st.exchange(soci::use(at, "at2"));
                                st.exchange(soci::use(key, "id"));
                            }) > 0;
}

void revoke(Lease& lease, const Uuid& id, Timestamp now) {
    std::string key = id.to_string(), at = format_timestamp(now);
    lease.sql() << R"(UPDATE "RefreshTokens" SET "revokedAt" = :at, "updatedAt" = :at2
                      WHERE id = :id AND "revokedAt" IS NULL)",
        soci::use(at), soci::use(at), soci::use(key);
}

long long revoke_all_for_user(Lease& lease, const Uuid& user_id, Timestamp now) {
    std::string user = user_id.to_string(), at = format_timestamp(now);
    return execute_counting(lease.sql(),
                            R"(UPDATE "RefreshTokens" SET "revokedAt" = :at, "updatedAt" = :at2
                               WHERE "userId" = :user AND "revokedAt" IS NULL)",
                            [&](soci::statement& st) {
                                st.exchange(soci::use(at, "at"));
                                st.exchange(soci::use(at, "at2"));
                                st.exchange(soci::use(user, "user"));
                            });
}

long long count_live_for_user(Lease& lease, const Uuid& user_id, Timestamp now) {
    std::string user = user_id.to_string(), at = format_timestamp(now);
    long long n = 0;
    lease.sql() << R"(SELECT count(*) FROM "RefreshTokens" WHERE "userId" = :user AND "revokedAt" IS NULL
                      AND "expiresAt" > :at)",
        soci::use(user), soci::use(at), soci::into(n);
    return n;
}

}  // namespace crm::detail::refresh_token_store
