// Internal: what a crm::Service holds, shared by the files that implement it (service.cpp, auth_service.cpp,
// refresh_tokens.cpp, *_service.cpp).
#pragma once

#include "changes.hpp"
#include "cursor.hpp"
#include "db.hpp"
#include "jwt.hpp"
#include "login_throttle.hpp"
#include "password.hpp"
#include "policy.hpp"
#include "stores.hpp"
#include "validate.hpp"

#include <crm/service.hpp>
#include <crm/validation.hpp>

#include <optional>

namespace crm {
inline namespace v1 {

struct Service::Impl {
    Database db;
    AuthOptions options;
    detail::PasswordHasher hasher;
    /// Absent when options.jwt_secret is empty: such a Service refuses every token operation.
    std::optional<detail::JwtCodec> jwt;
    detail::LoginThrottle throttle;
    detail::CursorCodec cursors{options.jwt_secret};  // keyed from the JWT secret (see cursor.hpp)

    Impl(Database database, AuthOptions opts);

    /// The access-token codec; Error(invalid) on field "jwtSecret" when the Service has no secret,
    /// before any other work (a password hash, a write), so that nothing is done for nothing.
    [[nodiscard]] const detail::JwtCodec& token_codec() const;

    [[nodiscard]] detail::Pool& pool() const { return detail::impl_of(db); }

    /// `principal` as its user's row has it now: the system principal and principals checked within
    /// options.principal_max_age as they are; older ones re-read (unauthorized once the user is gone).
    [[nodiscard]] Principal current(const Principal& principal) const;

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

/// Checks a page request (page, limit; a cursor only with page 1) and decodes its cursor for
/// `context`; throws invalid naming every offending field.
[[nodiscard]] inline std::optional<Keyset> checked_window(const CursorCodec& codec, const CursorContext& context,
                                                          const PageRequest& page, FieldErrors& errors) {
    check(page, errors);
    std::optional<Keyset> after;
    if (page.cursor) {
        try {
            after = codec.decode(context, *page.cursor);
        } catch (const Error& e) {
            errors.add("cursor", e.field_errors().empty() ? "is invalid" : e.field_errors().front().message);
        }
    }
    errors.throw_if_any();
    return after;
}

/// The Page of a list slice: the request's page and limit (page 0 in cursor mode), the total
/// when counted, and a cursor after the last row when more rows follow.
template <class T, class PositionOf>
Page<T> make_page(ListSlice<T>&& slice, const PageRequest& request, const CursorCodec& codec,
                  const CursorContext& context, PositionOf&& position_of) {
    Page<T> page;
    page.page = request.cursor ? 0 : request.page;
    page.limit = request.limit;
    page.total = slice.total;
    if (slice.more && !slice.items.empty()) page.next_cursor = codec.encode(context, position_of(slice.items.back()));
    page.items = std::move(slice.items);
    return page;
}

/// The lead if it exists and `actor` may perform `action` on it; not_found otherwise.
Lead lead_in_scope(Lease& lease, const Principal& actor, const Uuid& id, Action action,
                                 bool for_update = false);

}  // namespace detail
}  // namespace crm
