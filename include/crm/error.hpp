// libcrm: the one exception type of the C++ API.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace crm {
inline namespace v1 {

/// What went wrong, in the terms a caller acts on. Maps one to one onto the C ABI statuses
/// and onto HTTP statuses in the example server. Append only.
enum class Errc {
    not_found,     ///< no such object in the caller's scope
    conflict,      ///< unique value taken; last ADMIN
    invalid,       ///< input fails validation; see Error::field_errors()
    unauthorized,  ///< bad credentials or token
    forbidden,     ///< the caller's role may not do this
    unavailable,   ///< the database cannot be reached
    internal,      ///< a bug or an unexpected database state
    throttled,     ///< too many failed logins for this email or client address; see Error::retry_after()
};

[[nodiscard]] std::string_view to_string(Errc code) noexcept;

/// One offending input field and what is wrong with it ("is required", "must be at most 255 characters").
struct FieldError {
    std::string field;    ///< the input field, as the HTTP contract names it ("title", "ownerId")
    std::string message;  ///< what is wrong, to follow the field's name
    bool operator==(const FieldError&) const = default;  ///< field-wise equality
};

/// "<field> <message>" ("title is required"): how a field's problem reads in one line. The
/// one place that joins the two; Error::what() of an `invalid` error is its first field's.
[[nodiscard]] std::string to_string(const FieldError& error);

/// The problems of one input, the first per field (the one to fix first), in the order found.
/// Checking in steps (a host's own parsing, then the library's rules: see crm/validation.hpp)
/// into one collector reports every problem in one Error instead of one step at a time.
class FieldErrors {
public:
    /// Records `message` for `field`, unless `field` already has a problem.
    void add(std::string_view field, std::string_view message);
    /// True when no problem was recorded.
    [[nodiscard]] bool empty() const noexcept { return errors_.empty(); }
    /// True when `field` has a problem.
    [[nodiscard]] bool has(std::string_view field) const noexcept;
    /// Every problem, in the order found.
    [[nodiscard]] const std::vector<FieldError>& list() const noexcept { return errors_; }
    /// Throws Error(invalid) listing every problem (its message: the first's to_string()), if any.
    void throw_if_any() const;

private:
    std::vector<FieldError> errors_;
};

/// Every failure of the C++ API is a crm::Error. Messages never carry SQL text or secrets.
class Error : public std::runtime_error {
public:
    /// An error with a code, a message for people and, for `invalid`, the offending fields.
    Error(Errc code, const std::string& message, std::vector<FieldError> field_errors = {});

    /// What went wrong, for programs.
    [[nodiscard]] Errc code() const noexcept { return code_; }
    /// For `invalid`: every offending field; otherwise empty.
    [[nodiscard]] const std::vector<FieldError>& field_errors() const noexcept { return field_errors_; }

    /// When trying again makes sense after a delay: how long to wait. Set for `throttled` (until
    /// the login window passes) and for the `unavailable` of busy password hashing; nullopt otherwise.
    [[nodiscard]] const std::optional<std::chrono::seconds>& retry_after() const noexcept { return retry_after_; }

    /// An `invalid` error for one field; the message reads "<field> <problem>".
    [[nodiscard]] static Error invalid_field(std::string field, std::string problem);
    /// An `invalid` error listing `errors` (at least one); the message is the first's to_string().
    [[nodiscard]] static Error invalid_fields(std::vector<FieldError> errors);
    /// An error that a caller may retry after `retry_after` (at least one second is reported).
    [[nodiscard]] static Error retry_later(Errc code, const std::string& message, std::chrono::seconds retry_after);

private:
    Errc code_;
    std::vector<FieldError> field_errors_;
    std::optional<std::chrono::seconds> retry_after_;
};

}  // namespace v1
}  // namespace crm
