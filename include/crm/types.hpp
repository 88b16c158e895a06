// libcrm: value types shared by every model: ids, timestamps, enums.
#pragma once

#include <array>
#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crm {
inline namespace v1 {

/// A 128-bit id. New ids are UUIDv7: time-ordered, with random bits from libsodium.
class Uuid {
public:
    Uuid() = default;  ///< the nil UUID
    /// The UUID with these 16 bytes, in network order.
    explicit Uuid(const std::array<std::uint8_t, 16>& bytes) : bytes_(bytes) {}

    /// A fresh UUIDv7.
    [[nodiscard]] static Uuid generate();
    /// Canonical 8-4-4-4-12 hex text, either letter case; nullopt for anything else.
    [[nodiscard]] static std::optional<Uuid> parse(std::string_view text) noexcept;
    /// Like parse, but throws Error(invalid) naming `field`.
    [[nodiscard]] static Uuid parse_or_throw(std::string_view text, std::string_view field = "id");

    /// Lowercase canonical text.
    [[nodiscard]] std::string to_string() const;
    /// True for the all-zero UUID.
    [[nodiscard]] bool is_nil() const noexcept;
    /// The 16 bytes, in network order.
    [[nodiscard]] const std::array<std::uint8_t, 16>& bytes() const noexcept { return bytes_; }

    /// Byte-wise order, which for UUIDv7 is creation order.
    auto operator<=>(const Uuid&) const = default;

private:
    std::array<std::uint8_t, 16> bytes_{};
};

/// UTC time with millisecond precision; text form as JavaScript's Date.toJSON() writes it.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

[[nodiscard]] Timestamp now() noexcept;
/// "2026-11-28T05:48:00.123Z"
[[nodiscard]] std::string format_timestamp(Timestamp t);
/// Parses the format_timestamp form (also accepts a "+00:00" suffix or no fraction); nullopt otherwise.
[[nodiscard]] std::optional<Timestamp> parse_timestamp(std::string_view text) noexcept;

/// A user's role: what they may do (see the RBAC policy in the documentation).
enum class Role {
    admin,    ///< "ADMIN": everything
    manager,  ///< "MANAGER": every lead and activity; reads any user; updates only themselves
    sales,    ///< "SALES": only the leads they own and their activities; only themselves
};
/// Where a lead is in the pipeline; declared in pipeline order.
enum class LeadStatus {
    new_,       ///< "NEW"
    contacted,  ///< "CONTACTED"
    qualified,  ///< "QUALIFIED"
    closed,     ///< "CLOSED"
};
/// What kind of activity.
enum class ActivityType {
    note,   ///< "NOTE"
    call,   ///< "CALL"
    email,  ///< "EMAIL"
};

/// Upper-case wire names: "ADMIN", "NEW", "NOTE", ...
[[nodiscard]] std::string_view to_string(Role) noexcept;
[[nodiscard]] std::string_view to_string(LeadStatus) noexcept;
[[nodiscard]] std::string_view to_string(ActivityType) noexcept;

/// Every wire name in declaration order, comma separated: what a message refusing any other
/// value lists ("must be one of NEW, CONTACTED, QUALIFIED, CLOSED").
[[nodiscard]] std::string_view role_names() noexcept;
[[nodiscard]] std::string_view lead_status_names() noexcept;     ///< "NEW, CONTACTED, QUALIFIED, CLOSED"
[[nodiscard]] std::string_view activity_type_names() noexcept;  ///< "NOTE, CALL, EMAIL"

/// Exact wire names only; nullopt otherwise.
template <class Enum>
[[nodiscard]] std::optional<Enum> parse(std::string_view text) noexcept;
template <>
[[nodiscard]] std::optional<Role> parse<Role>(std::string_view) noexcept;
template <>
[[nodiscard]] std::optional<LeadStatus> parse<LeadStatus>(std::string_view) noexcept;
template <>
[[nodiscard]] std::optional<ActivityType> parse<ActivityType>(std::string_view) noexcept;

}  // namespace v1
}  // namespace crm
