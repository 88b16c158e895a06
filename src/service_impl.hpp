// Internal: what a crm::Service holds, shared by the *_service.cpp files.
#pragma once

#include "db.hpp"
#include "jwt.hpp"
#include "login_throttle.hpp"
#include "password.hpp"
#include "policy.hpp"
#include "stores.hpp"
#include "validate.hpp"

#include <crm/service.hpp>

namespace crm {
inline namespace v1 {

struct Service::Impl {
    Database db;
    AuthOptions options;
    detail::PasswordHasher hasher;
    detail::JwtCodec jwt;
    detail::LoginThrottle throttle;

    Impl(Database database, AuthOptions opts);

    [[nodiscard]] Database::Impl& pool() const { return db.impl(); }

    struct Issued {
        Tokens tokens;
        Uuid refresh_token_id;
    };
    /// An access token and a fresh refresh token for `user`, the latter stored in the caller's
    /// transaction.
    Issued issue_tokens(detail::Lease& lease, const User& user, Timestamp at);

    /// A validated new user and the hash of its password, ready for user_store::insert.
    struct PreparedUser {
        User user;
        std::string password_hash;
    };
    [[nodiscard]] PreparedUser prepare_user(const NewUser& user) const;

    /// Counts a failed login against `keys` (its own write transaction).
    void record_login_failure(const detail::LoginThrottle::Keys& keys);
};

}  // namespace v1

namespace detail {

using Mode = Transaction::Mode;

/// True when `owner` is the acting user (never for the system principal, which owns nothing).
[[nodiscard]] inline bool is_own(const Principal& actor, const std::optional<Uuid>& owner) {
    return !actor.is_system() && owner && *owner == actor.user_id();
}

/// The lead if it exists and `actor` may perform `action` on it; not_found otherwise.
Lead lead_in_scope(Lease& lease, const Principal& actor, const Uuid& id, Action action,
                                 bool for_update = false);

}  // namespace detail
}  // namespace crm
