// Login throttling: failed logins counted per email and per client address, in the database.
#pragma once

#include "db.hpp"

#include <crm/types.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace crm::detail {

/// Counts failed logins per email and per client address in fixed windows ("LoginThrottles") and
/// refuses further attempts once either has reached the limit within its window. Stateless
/// apart from its settings: every Service on a database shares the counts.
class LoginThrottle {
public:
    static constexpr unsigned max_failures_limit = 100000;
    static constexpr std::chrono::seconds min_window{1};
    static constexpr std::chrono::seconds max_window{86400};

    /// Throws Error(invalid) naming "loginMaxFailures" or "loginWindow" for values out of range.
    /// max_failures 0 disables throttling.
    LoginThrottle(unsigned max_failures, std::chrono::seconds window);

    [[nodiscard]] bool enabled() const noexcept { return max_failures_ != 0; }

    /// The keys one attempt counts against: the email's, and the address's when one is given.
    struct Keys {
        std::vector<std::string> all;  ///< email first: writes take row locks in this order
        [[nodiscard]] const std::string& email() const { return all.front(); }
    };
    /// `normalized_email` as the user store compares it; `client_address` as given (empty: none).
    [[nodiscard]] static Keys keys(std::string_view normalized_email, std::string_view client_address);

    /// Throws Error(throttled) with retry_after when a key has reached the limit in a live window.
    void check(Lease& lease, const Keys& keys, Timestamp now) const;
    /// Counts one failure against every key, and deletes a few expired rows. Call in a write
    /// transaction.
    void record_failure(Lease& lease, const Keys& keys, Timestamp now) const;
    /// After a successful login: forgets the email's count (not the address's: one good account
    /// must not reset the count of an address trying many).
    void clear_email(Lease& lease, const Keys& keys) const;

private:
    unsigned max_failures_;
    std::chrono::seconds window_;
};

/// What an address is counted as: an IPv4 address (IPv4-mapped IPv6 included) as itself, an IPv6
/// address by its /64 prefix (one subscriber usually holds a whole /64), anything else as given.
[[nodiscard]] std::string client_address_group(std::string_view client_address);

}  // namespace crm::detail
