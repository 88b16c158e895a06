// Internal: typed data access, one namespace per model, SQL in the matching *_store.cpp.
// Stores do no access control: the services decide who may call what. Every function runs on
// the caller's lease (and transaction, when it holds one).
#pragma once

#include "cursor.hpp"
#include "db.hpp"

#include <crm/models.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crm::detail {

// ---- binding helpers shared by the stores ----------------------------------------------

/// A nullable text parameter or result: SOCI has no std::optional exchange.
struct NullableText {
    std::string value;
    soci::indicator ind = soci::i_null;

    NullableText() = default;
    explicit NullableText(const std::optional<std::string>& v) : value(v.value_or("")), ind(v ? soci::i_ok : soci::i_null) {}
    explicit NullableText(const std::optional<Uuid>& v) : value(v ? v->to_string() : ""), ind(v ? soci::i_ok : soci::i_null) {}
    [[nodiscard]] std::optional<std::string> text() const { return ind == soci::i_ok ? std::optional(value) : std::nullopt; }
    [[nodiscard]] std::optional<Uuid> uuid() const;
    [[nodiscard]] std::optional<Timestamp> timestamp() const;
};

[[nodiscard]] Uuid uuid_from_db(const std::string& text);
[[nodiscard]] Timestamp timestamp_from_db(const std::string& text);

/// Which rows of a list a store reads: `limit` rows from `offset` (page mode), or from after
/// `after` (cursor mode, offset 0), and whether to count every matching row as well.
struct ListWindow {
    long long limit = 20;
    long long offset = 0;
    std::optional<Keyset> after;
    bool count = true;
    ListWindow(const PageRequest& page, std::optional<Keyset> after_row)
        : limit(page.limit),
          offset(after_row ? 0 : (page.page - 1) * page.limit),
          after(std::move(after_row)),
          count(!after || page.with_total) {}
};

/// What a store returns for a ListWindow: the rows, whether more follow, and the count of every
/// matching row (when asked for), all from one snapshot.
template <class T>
struct ListSlice {
    std::vector<T> items;
    bool more = false;
    std::optional<long long> total;
};

// ---- Users ------------------------------------------------------------------------------

struct UserCredentials {
    User user;
    std::string password_hash;
};

namespace user_store {
/// Throws conflict when the email is taken (case-insensitively).
void insert(Lease& lease, const User& user, const std::string& password_hash);
[[nodiscard]] std::optional<User> find(Lease& lease, const Uuid& id);
[[nodiscard]] std::optional<UserCredentials> find_credentials(Lease& lease, const Uuid& id);
/// find_credentials(), locking the row on PostgreSQL until the transaction ends.
[[nodiscard]] std::optional<UserCredentials> find_credentials_for_update(Lease& lease, const Uuid& id);
/// `email` must already be normalised (trimmed, lower-cased).
[[nodiscard]] std::optional<UserCredentials> find_by_email(Lease& lease, const std::string& email);
/// Writes `user` (merged by apply(), see changes.hpp) over the row with its id, and
/// `password_hash` when given, in one statement; returns the row as stored, nullopt when there is
/// no such user. Throws conflict when the email is taken.
std::optional<User> update(Lease& lease, const User& user, const std::optional<std::string>& password_hash);
bool remove(Lease& lease, const Uuid& id);
/// Oldest first, ties by id.
[[nodiscard]] ListSlice<User> list(Lease& lease, const ListWindow& window);
/// The keyset position of `user` in that order.
[[nodiscard]] Keyset position_of(const User& user);
/// Counts ADMINs, locking their rows on PostgreSQL so that two demotions cannot both pass.
[[nodiscard]] long long count_admins_locked(Lease& lease);
[[nodiscard]] long long count(Lease& lease);
}  // namespace user_store

// ---- Leads ------------------------------------------------------------------------------

namespace lead_store {
/// Throws invalid (ownerId) when the owner does not exist. Returns the lead as stored
/// (PostgreSQL's jsonb normalises metadata text), from the same statement (RETURNING).
Lead insert(Lease& lease, const Lead& lead);
/// `for_update` locks the row on PostgreSQL until the transaction ends.
[[nodiscard]] std::optional<Lead> find(Lease& lease, const Uuid& id, bool for_update = false);
/// Writes `lead` (merged by apply(), see changes.hpp) over the row with its id; returns the row as
/// stored (as insert() does), nullopt when there is no such lead. Throws invalid (ownerId) when
/// the owner does not exist.
std::optional<Lead> update(Lease& lease, const Lead& lead);
bool remove(Lease& lease, const Uuid& id);
[[nodiscard]] ListSlice<Lead> list(Lease& lease, const LeadFilter& filter, const LeadSort& sort, const ListWindow& window);
/// The keyset position of `lead` in `sort` order.
[[nodiscard]] Keyset position_of(const Lead& lead, const LeadSort& sort);
/// Up to `limit` leads matching `filter` that come after `after` in (createdAt, id) order, oldest
/// first: keyset pagination, so reading every lead costs the same per chunk at any depth.
[[nodiscard]] std::vector<Lead> list_after(Lease& lease, const LeadFilter& filter, const std::optional<Lead>& after,
                                           long long limit);
}  // namespace lead_store

// ---- Activities ---------------------------------------------------------------------------

namespace activity_store {
/// Throws invalid (leadId) when the lead does not exist. Returns the activity as stored.
Activity insert(Lease& lease, const Activity& activity);
[[nodiscard]] std::optional<Activity> find(Lease& lease, const Uuid& id, bool for_update = false);
/// Writes `activity`'s type, body and "updatedAt" (merged by apply(), see changes.hpp) over the
/// row with its id; returns the row as stored, nullopt when there is no such activity.
std::optional<Activity> update(Lease& lease, const Activity& activity);
bool remove(Lease& lease, const Uuid& id);
/// Newest first, ties by id.
[[nodiscard]] ListSlice<Activity> list_for_lead(Lease& lease, const Uuid& lead_id, const ListWindow& window);
/// The keyset position of `activity` in that order.
[[nodiscard]] Keyset position_of(const Activity& activity);
}  // namespace activity_store

// ---- Refresh tokens -----------------------------------------------------------------------

/// A refresh token as stored: only the hash of the secret is kept.
struct RefreshToken {
    Uuid id{};                             ///< row id
    Uuid user_id{};                        ///< whose token it is
    std::string token_hash{};              ///< hex of the BLAKE2b-256 hash of the secret
    Timestamp expires_at{};                ///< refused from then on
    std::optional<Timestamp> revoked_at{};  ///< set by rotation, logout or a password change
    std::optional<Uuid> replaced_by{};     ///< set when spent by a rotation
    Timestamp created_at{};                ///< when it was issued
    Timestamp updated_at{};                ///< when it last changed
    bool operator==(const RefreshToken&) const = default;  ///< field-wise equality
};

namespace refresh_token_store {
void insert(Lease& lease, const RefreshToken& token);
/// Locks the row on PostgreSQL (the SQLite write transaction already excludes other writers).
[[nodiscard]] std::optional<RefreshToken> find_by_hash_for_update(Lease& lease, const std::string& token_hash);
/// Marks a token spent by rotation. False when it was already revoked (a concurrent rotation won).
bool mark_replaced(Lease& lease, const Uuid& id, const Uuid& replaced_by, Timestamp now);
/// Revokes one token if it is still live.
void revoke(Lease& lease, const Uuid& id, Timestamp now);
/// Revokes every live token of a user; returns how many.
long long revoke_all_for_user(Lease& lease, const Uuid& user_id, Timestamp now);
[[nodiscard]] long long count_live_for_user(Lease& lease, const Uuid& user_id, Timestamp now);
}  // namespace refresh_token_store

// ---- Login throttles --------------------------------------------------------------------------

namespace login_throttle_store {
/// A key's failures in its current window, and when that window ends.
struct Count {
    long long failures = 0;
    Timestamp window_end;
};
/// The counts of `keys` (hex BLAKE2b-256, see login_throttle.hpp) whose window ends after `now`.
[[nodiscard]] std::vector<Count> find_live(Lease& lease, const std::vector<std::string>& keys, Timestamp now);
/// Counts one failure for `key` in one atomic upsert: a key without a live window starts one of
/// `window` at `now`. Safe against concurrent callers on any number of connections; call it in a
/// write transaction.
void record_failure(Lease& lease, const std::string& key, Timestamp now, std::chrono::milliseconds window);
/// Forgets a key's count.
void clear(Lease& lease, const std::string& key);
/// Deletes up to `limit` rows whose window ended by `now`; returns how many. On PostgreSQL rows
/// another transaction holds are skipped, so this never waits on (or deadlocks with) a login.
long long purge_expired(Lease& lease, Timestamp now, long long limit);
/// Every row, expired or not (for tests).
[[nodiscard]] long long count_rows(Lease& lease);
}  // namespace login_throttle_store

}  // namespace crm::detail
