// Internal: keyset cursors for the lists. A cursor names the last row of a page (its sort value
// and id) and is bound, by a MAC, to the list it was made for: the list, the sort and the scoped
// filter. The MAC key is derived from the Service's JWT secret, so every server sharing that
// secret accepts the others' cursors, and no client can forge or retarget one (a Service without
// a secret uses a random key: its cursors are its own).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crm::detail {

/// Where a keyset page starts: after the row with this sort value and id. The key is the sort
/// value in the text form the store binds (a timestamp, a title, a status rank as digits).
struct Keyset {
    std::string key;
    std::string id;
    bool operator==(const Keyset&) const = default;
};

/// What a cursor is bound to, built field by field; each field is length-prefixed so that no two
/// different lists serialise alike.
class CursorContext {
public:
    explicit CursorContext(std::string_view list) { add(list); }
    CursorContext& add(std::string_view field);
    CursorContext& add(std::int64_t number) { return add(std::string_view(std::to_string(number))); }
    [[nodiscard]] const std::string& bytes() const noexcept { return bytes_; }

private:
    std::string bytes_;
};

class CursorCodec {
public:
    explicit CursorCodec(std::string_view secret);
    /// base64url(payload | MAC(context | payload)).
    [[nodiscard]] std::string encode(const CursorContext& context, const Keyset& position) const;
    /// The position in `token`; Error(invalid) on field "cursor" for anything this codec did not
    /// make for `context`.
    [[nodiscard]] Keyset decode(const CursorContext& context, std::string_view token) const;

private:
    std::array<unsigned char, 32> key_{};
};

}  // namespace crm::detail
