// libcrm: the CRM's data, as plain copyable values.
#pragma once

#include <crm/types.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm {
inline namespace v1 {

/// A user. The password hash is deliberately not a member: it never leaves the core.
struct User {
    Uuid id{};                  ///< assigned by the library (UUIDv7)
    std::string name{};         ///< display name, at most 255 characters
    std::string email{};        ///< trimmed, lower-cased; unique case-insensitively
    Role role = Role::sales;  ///< what the user may do (see the RBAC policy)
    Timestamp created_at{};     ///< when the user was created
    Timestamp updated_at{};     ///< when the user last changed
    bool operator==(const User&) const = default;  ///< field-wise equality
};

/// A sales lead.
struct Lead {
    Uuid id{};                                ///< assigned by the library (UUIDv7)
    std::string title{};                      ///< not blank, at most 255 characters
    std::optional<std::string> description{};  ///< free text, or null
    LeadStatus status = LeadStatus::new_;   ///< position in the pipeline
    std::optional<std::string> source{};      ///< where the lead came from, at most 255 characters, or null
    std::optional<Uuid> owner_id{};           ///< the owning user; nullopt: unowned
    std::optional<std::string> metadata{};    ///< a JSON object as text, or nullopt for null
    Timestamp created_at{};                   ///< when the lead was created
    Timestamp updated_at{};                   ///< when the lead last changed
    bool operator==(const Lead&) const = default;  ///< field-wise equality
};

/// Something that happened on a lead: a note, a call, an email.
struct Activity {
    Uuid id{};                                ///< assigned by the library (UUIDv7)
    Uuid lead_id{};                           ///< the lead it belongs to; never changes
    ActivityType type = ActivityType::note;  ///< what kind of activity
    std::optional<std::string> body{};        ///< free text, or null
    std::optional<Uuid> created_by{};         ///< the author; nullopt once the author is deleted
    Timestamp created_at{};                   ///< when the activity was created
    Timestamp updated_at{};                   ///< when the activity last changed
    bool operator==(const Activity&) const = default;  ///< field-wise equality
};

/// A field of a partial update: nullopt leaves the field as it is. For nullable fields the
/// inner optional is the new value, so `description = std::optional<std::string>{}` sets null.
template <class T>
using Change = std::optional<T>;

/// A partial update of a lead.
struct LeadChanges {
    Change<std::string> title{};                       ///< new title
    Change<std::optional<std::string>> description{};  ///< new description, or null
    Change<LeadStatus> status{};                       ///< new status
    Change<std::optional<std::string>> source{};       ///< new source, or null
    Change<std::optional<Uuid>> owner_id{};            ///< new owner, or unowned
    Change<std::optional<std::string>> metadata{};     ///< new metadata (a JSON object as text), or null
};

/// Which lead column a list is ordered by.
enum class LeadSortKey {
    created_at,  ///< "createdAt"
    updated_at,  ///< "updatedAt"
    title,       ///< "title", by code point
    status,      ///< "status", in pipeline order NEW < CONTACTED < QUALIFIED < CLOSED
};
/// The sort key's wire name ("createdAt", "updatedAt", "title", "status").
[[nodiscard]] std::string_view to_string(LeadSortKey) noexcept;
/// Exact wire names only; nullopt otherwise.
template <>
[[nodiscard]] std::optional<LeadSortKey> parse<LeadSortKey>(std::string_view) noexcept;

/// The order of a lead list; ties are always broken by id in the same direction.
struct LeadSort {
    LeadSortKey key = LeadSortKey::created_at;  ///< the column
    bool descending = true;                     ///< newest (or highest) first
    /// "createdAt", "-title", ...; nullopt for anything else.
    [[nodiscard]] static std::optional<LeadSort> parse(std::string_view text) noexcept;
    bool operator==(const LeadSort&) const = default;  ///< field-wise equality
};

/// Which leads a list returns; every given criterion must hold.
struct LeadFilter {
    std::vector<LeadStatus> statuses{};      ///< any of these; empty: any status
    Change<std::optional<Uuid>> owner_id{};  ///< nullopt: any owner; {nullopt}: unowned only; {id}: that owner
    std::optional<std::string> source{};     ///< exactly this source
    std::optional<std::string> q{};          ///< case-insensitive substring of title or description, matched literally
};

/// A page request: either a 1-based page number (page mode) or a cursor from an earlier page's
/// `next_cursor` (cursor mode: the rows after that one, with the same filter and sort).
struct PageRequest {
    /// `PageRequest{page, limit}` as before cursors existed (a constructor, so that code naming
    /// only those two keeps compiling warning-free).
    constexpr PageRequest(std::int64_t page_number = 1, std::int64_t page_limit = 20) noexcept
        : page(page_number), limit(page_limit) {}
    /// Cursor mode: the rows after `cursor_text`, counting them all only when `count` is true.
    PageRequest(std::string cursor_text, std::int64_t page_limit, bool count = false)
        : limit(page_limit), cursor(std::move(cursor_text)), with_total(count) {}

    std::int64_t page = 1;    ///< 1-based page number; must stay 1 with a cursor
    std::int64_t limit = 20;  ///< rows per page, 1 to max_limit
    /// An opaque `Page::next_cursor`: continue after its row. A cursor made for another list,
    /// sort, filter or scope, or altered in any way, is Error(invalid) on field "cursor".
    std::optional<std::string> cursor{};
    /// Cursor mode only: also count every matching row (page mode always counts).
    bool with_total = false;
    static constexpr std::int64_t max_limit = 100;  ///< the largest limit accepted
    static constexpr std::int64_t max_page = 1'000'000'000;  ///< the largest page accepted
};

/// One page of a list, with the total over all pages and a cursor to the next page.
template <class T>
struct Page {
    std::vector<T> items{};     ///< the rows of this page
    std::int64_t page = 1;    ///< the page number asked for; 0 in cursor mode (the position is the cursor)
    std::int64_t limit = 20;  ///< the page size asked for
    /// Rows over all pages: always in page mode; in cursor mode only when `with_total` asked for it.
    std::optional<std::int64_t> total{};
    /// Pass as PageRequest::cursor for the rows after this page; nullopt on the last page.
    std::optional<std::string> next_cursor{};
    /// Pages needed for `total` rows; nullopt when the total was not counted.
    [[nodiscard]] std::optional<std::int64_t> total_pages() const noexcept {
        if (!total) return std::nullopt;
        return limit > 0 ? (*total + limit - 1) / limit : 0;
    }
};

}  // namespace v1
}  // namespace crm
