// libcrm: what a caller gives to create or change a user (see Service's user operations).
#pragma once

#include <crm/models.hpp>
#include <crm/types.hpp>

#include <optional>
#include <string>

namespace crm {
inline namespace v1 {

/// A user created by an ADMIN or the system principal.
struct NewUser {
    std::string email{};                ///< trimmed and lower-cased by the library
    std::string password{};             ///< 8 to 1024 characters
    std::optional<std::string> name{};  ///< defaults to the part of the email before '@'
    Role role = Role::sales;          ///< the new user's role
};

/// A partial update of a user, password included.
struct UserUpdate {
    Change<std::string> name{};      ///< new name
    Change<std::string> email{};     ///< new email
    Change<Role> role{};             ///< new role (ADMIN only)
    Change<std::string> password{};  ///< new password; revokes every refresh token of the user
    /// Required when users change their own password.
    std::optional<std::string> current_password{};
};

}  // namespace v1
}  // namespace crm
