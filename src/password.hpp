// Argon2id password hashing (libsodium), with a bound on hashes running at once and a short
// bounded queue behind them: when both are full a caller is refused at once instead of waiting.
#pragma once

#include <crm/error.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace crm::detail {

class PasswordHasher {
public:
    /// 0 for opslimit/memlimit means crypto_pwhash_OPSLIMIT/MEMLIMIT_INTERACTIVE; 0 for
    /// max_concurrent means std::thread::hardware_concurrency() (at least 1). `max_queued` callers
    /// may wait for a slot (nullopt: twice the slots); one more is refused with busy(). Throws
    /// Error(invalid) naming "passwordOpslimit"/"passwordMemlimit"/"maxQueuedHashes" for a cost
    /// outside libsodium's Argon2id MIN..MAX or a queue over max_queue_limit, and Error(internal)
    /// when libsodium cannot be initialised.
    PasswordHasher(std::uint64_t opslimit, std::size_t memlimit, unsigned max_concurrent,
                   std::optional<unsigned> max_queued = std::nullopt);
    ~PasswordHasher();
    PasswordHasher(const PasswordHasher&) = delete;
    PasswordHasher& operator=(const PasswordHasher&) = delete;

    /// The most callers a queue may hold.
    static constexpr unsigned max_queue_limit = 100000;

    // hash(), verify() and verify_dummy() take a slot first: when every slot is running and the
    // queue is full they throw busy() at once, before any work.

    /// Error(unavailable, "password hashing is busy") with retry_after 1 s.
    [[nodiscard]] static Error busy();

    /// An Argon2id string ("$argon2id$v=19$m=...") of the configured cost. Throws Error(internal)
    /// when libsodium fails (out of memory).
    [[nodiscard]] std::string hash(std::string_view password) const;
    /// True when `password` matches `hash`; false for a wrong password or a hash of a format
    /// recognizes() refuses (Argon2i and bcrypt hashes are accepted too; needs_rehash() reports
    /// them, so that a login replaces them with Argon2id). Compared in constant time.
    [[nodiscard]] bool verify(std::string_view hash, std::string_view password) const;
    /// True for the hash formats verify() knows: Argon2id and Argon2i strings (libsodium), and
    /// bcrypt `$2a$`, `$2b$`, `$2y$` (the Node backend's; verified with libxcrypt's crypt_r).
    [[nodiscard]] static bool recognizes(std::string_view hash) noexcept;
    /// The scheme of a hash for a log line: "$argon2id$", "$2b$", ... when it starts with a short
    /// "$name$" prefix, else "unrecognised". Never more of the hash than that prefix.
    [[nodiscard]] static std::string scheme_of(std::string_view hash);
    /// True when `hash` was made with another cost (or algorithm) than the configured one.
    [[nodiscard]] bool needs_rehash(std::string_view hash) const;
    /// Verifies `password` against a dummy hash of the configured cost, so that a login for an
    /// unknown email costs as much as one with a wrong password. Always returns false.
    bool verify_dummy(std::string_view password) const;

    /// Counts every hash/verify actually run (including verify_dummy): lets tests prove the
    /// hasher ran. Each hash(), verify() and verify_dummy() that reaches libsodium counts one;
    /// computing the dummy hash itself (once, lazily) does not count, and neither does a verify()
    /// refused before libsodium (empty, over-long or NUL-containing hash).
    [[nodiscard]] std::uint64_t runs() const noexcept;
    /// How many hashes/verifies may run at once (max_concurrent after resolving 0).
    [[nodiscard]] unsigned max_concurrent() const noexcept;
    /// The most hashes/verifies seen running at once so far: lets tests check the bound.
    [[nodiscard]] unsigned peak_concurrent() const noexcept;
    /// How many callers may wait for a slot (max_queued after resolving nullopt).
    [[nodiscard]] unsigned max_queued() const noexcept;
    /// Hashes/verifies running now, and callers waiting now: let tests hold the hasher busy.
    [[nodiscard]] unsigned running() const noexcept;
    [[nodiscard]] unsigned queued() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Counted runs of every PasswordHasher in this process (as PasswordHasher::runs()).
[[nodiscard]] std::uint64_t password_hash_runs_in_process() noexcept;

}  // namespace crm::detail
