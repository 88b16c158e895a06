// libcrm: the CRM's data, as plain copyable values.
#pragma once

#include <crm/types.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crm {
inline namespace v1 {

/// A user. The password hash is deliberately not a member: it never leaves the core.
struct User {
    Uuid id;
    std::string name;
    std::string email;  ///< trimmed, lower-cased
    Role role = Role::sales;
    Timestamp created_at;
    Timestamp updated_at;
    bool operator==(const User&) const = default;
};

struct Lead {
    Uuid id;
    std::string title;
    std::optional<std::string> description;
    LeadStatus status = LeadStatus::new_;
    std::optional<std::string> source;
    std::optional<Uuid> owner_id;          ///< nullopt: unowned
    std::optional<std::string> metadata;   ///< a JSON object as text, or nullopt for null
    Timestamp created_at;
    Timestamp updated_at;
    bool operator==(const Lead&) const = default;
};

struct Activity {
    Uuid id;
    Uuid lead_id;
    ActivityType type = ActivityType::note;
    std::optional<std::string> body;
    std::optional<Uuid> created_by;  ///< nullopt once the author is deleted
    Timestamp created_at;
    Timestamp updated_at;
    bool operator==(const Activity&) const = default;
};

/// A refresh token as stored: only the hash of the secret is kept.
struct RefreshToken {
    Uuid id;
    Uuid user_id;
    std::string token_hash;             ///< hex of the BLAKE2b-256 hash of the secret
    Timestamp expires_at;
    std::optional<Timestamp> revoked_at;
    std::optional<Uuid> replaced_by;    ///< set when spent by a rotation
    Timestamp created_at;
    Timestamp updated_at;
    bool operator==(const RefreshToken&) const = default;
};

/// A partial update: a field left as nullopt is not touched. For nullable columns the inner
/// optional is the new value, so `description = std::optional<std::string>{}` sets it to null.
template <class T>
using Change = std::optional<T>;

struct UserChanges {
    Change<std::string> name;
    Change<std::string> email;
    Change<Role> role;
};

struct LeadChanges {
    Change<std::string> title;
    Change<std::optional<std::string>> description;
    Change<LeadStatus> status;
    Change<std::optional<std::string>> source;
    Change<std::optional<Uuid>> owner_id;
    Change<std::optional<std::string>> metadata;
};

struct ActivityChanges {
    Change<ActivityType> type;
    Change<std::optional<std::string>> body;
};

/// Which lead column a list is ordered by; ties are always broken by id in the same direction.
enum class LeadSortKey { created_at, updated_at, title, status };

struct LeadSort {
    LeadSortKey key = LeadSortKey::created_at;
    bool descending = true;
    /// "createdAt", "-title", ...; nullopt for anything else.
    [[nodiscard]] static std::optional<LeadSort> parse(std::string_view text) noexcept;
    bool operator==(const LeadSort&) const = default;
};

struct LeadFilter {
    std::vector<LeadStatus> statuses;            ///< empty: any status
    Change<std::optional<Uuid>> owner_id;         ///< nullopt: any owner; {nullopt}: unowned only
    std::optional<std::string> source;
    std::optional<std::string> q;                 ///< case-insensitive substring of title or description
};

/// A page request: 1-based page, 1..100 rows.
struct PageRequest {
    std::int64_t page = 1;
    std::int64_t limit = 20;
    static constexpr std::int64_t max_limit = 100;
};

template <class T>
struct Page {
    std::vector<T> items;
    std::int64_t page = 1;
    std::int64_t limit = 20;
    std::int64_t total = 0;
    [[nodiscard]] std::int64_t total_pages() const noexcept { return limit > 0 ? (total + limit - 1) / limit : 0; }
};

}  // namespace v1
}  // namespace crm
