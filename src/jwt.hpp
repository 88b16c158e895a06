// Access tokens: compact JWS (HS256/384/512) made and checked with cjose, after our own
// structural checks (cjose trusts the token's header and 0.6.2.1 mishandles short signatures).
#pragma once

#include <crm/auth.hpp>
#include <crm/types.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace crm::detail {

struct AccessClaims {
    Uuid subject;
    Role role = Role::sales;
    std::int64_t issued_at = 0;   ///< seconds since the epoch
    std::int64_t expires_at = 0;  ///< seconds since the epoch
};

class JwtCodec {
public:
    /// Throws Error(invalid) when the secret is shorter than 32 bytes ("jwtSecret") or the issuer
    /// is not valid UTF-8 ("issuer"). The codec keeps only cjose's copy of the key.
    JwtCodec(std::string secret, JwtAlgorithm algorithm, std::optional<std::string> issuer,
             std::chrono::seconds leeway);
    ~JwtCodec();
    JwtCodec(const JwtCodec&) = delete;
    JwtCodec& operator=(const JwtCodec&) = delete;

    /// Header {"alg":..,"typ":"JWT"}; claims sub, role, iat, exp (= now + ttl), iss when configured.
    [[nodiscard]] std::string sign(const Uuid& subject, Role role, Timestamp now, std::chrono::seconds ttl) const;
    /// Throws Error(unauthorized, "invalid or expired access token") for anything not made by
    /// sign() with this key and algorithm, or expired more than `leeway` before `now` (accepted
    /// while exp + leeway >= now, in whole seconds). Also refused: tokens over 4096 bytes,
    /// non-canonical base64url, a header with `crit` or with a repeated key, a nil `sub`, and
    /// no `iss` equal to the configured issuer when one is configured. Thread-safe.
    [[nodiscard]] AccessClaims verify(std::string_view token, Timestamp now) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// 32 random bytes (libsodium) as base64url without padding: 43 characters.
[[nodiscard]] std::string new_refresh_secret();
/// Lowercase hex of BLAKE2b-256 of the secret: what the database keeps.
[[nodiscard]] std::string hash_refresh_secret(std::string_view secret);

}  // namespace crm::detail
