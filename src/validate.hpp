// Internal: the rules of input validation, once, in the core. A Validator writes each field's
// problem into a FieldErrors (its own, or a caller's: see crm/validation.hpp), which throws one
// Error(invalid) listing them all.
#pragma once

#include <crm/error.hpp>
#include <crm/models.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::detail {

constexpr std::size_t max_name_length = 255;   // name, title, source
constexpr std::size_t max_email_length = 254;
constexpr std::size_t min_password_length = 8;
constexpr std::size_t max_password_length = 1024;

/// Code points in valid UTF-8; nullopt when `text` is not valid UTF-8.
[[nodiscard]] std::optional<std::size_t> utf8_length(std::string_view text) noexcept;

/// Trimmed and ASCII-lower-cased: how emails are stored and compared.
[[nodiscard]] std::string normalize_email(std::string_view email);

/// The name of a user who gives none: the part of their (normalised) email before '@'.
[[nodiscard]] std::string default_name(const std::string& email);

class Validator {
public:
    /// Collects into its own FieldErrors.
    Validator() : errors_(own_) {}
    /// Collects into `into`, after the problems it already holds.
    explicit Validator(FieldErrors& into) : errors_(into) {}
    Validator(const Validator&) = delete;
    Validator& operator=(const Validator&) = delete;

    /// Valid UTF-8 without U+0000 and at most `max` characters (0: no maximum).
    void text(std::string_view field, std::string_view value, std::size_t max = 0);
    /// As text(), and not blank.
    void required_text(std::string_view field, std::string_view value, std::size_t max);
    /// A normalised email of a plausible shape.
    void email(std::string_view field, std::string_view normalized);
    void password(std::string_view field, std::string_view value);
    /// A JSON object (as text).
    void json_object(std::string_view field, std::string_view value);
    void page(const PageRequest& page);
    void fail(std::string_view field, std::string_view message);

    /// Throws Error(invalid) naming every problem found so far, if any.
    void throw_if_invalid() const { errors_.throw_if_any(); }
    [[nodiscard]] const std::vector<FieldError>& errors() const noexcept { return errors_.list(); }

private:
    FieldErrors own_;
    FieldErrors& errors_;
};

}  // namespace crm::detail
