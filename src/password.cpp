// Argon2id password hashing with libsodium, at most max_concurrent hashes/verifies at once and at
// most max_queued callers waiting for one: a caller beyond that is refused at once (busy), so a
// burst of logins cannot tie up every thread of a host (an HTTP server's workers) behind Argon2id.
#include "password.hpp"

#include <crm/error.hpp>

#include <crypt.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace crm::detail {

namespace {

void ensure_sodium() {
    // sodium_init() is idempotent; the static makes the first call the only one that matters.
    static const bool ready = sodium_init() >= 0;
    if (!ready) throw Error(Errc::internal, "libsodium could not be initialised");
}

constexpr std::string_view argon2id_prefix = "$argon2id$";
constexpr std::string_view argon2i_prefix = "$argon2i$";

// bcrypt as the Node backend (and most others) writes it: "$2b$" (or $2a$, $2y$), a two-digit cost
// from 04 to 31, "$", then 22 characters of salt and 31 of hash in bcrypt's base64 alphabet.
bool is_bcrypt(std::string_view h) noexcept {
    if (h.size() != 60 || h[0] != '$' || h[1] != '2' || (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') || h[3] != '$' ||
        h[6] != '$')
        return false;
    if (h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9') return false;
    int cost = (h[4] - '0') * 10 + (h[5] - '0');
    if (cost < 4 || cost > 31) return false;
    for (char c : h.substr(7))
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '/'))
            return false;
    return true;
}

// A hash string libsodium may be handed: NUL-terminated copies must mean the same text, and a
// real one is always shorter than crypto_pwhash_STRBYTES.
bool plausible_hash(std::string_view hash) noexcept {
    return !hash.empty() && hash.size() < crypto_pwhash_STRBYTES && hash.find('\0') == std::string_view::npos;
}

// libsodium is given a non-null pointer even for an empty password.
const char* password_ptr(std::string_view password) noexcept { return password.empty() ? "" : password.data(); }

}  // namespace

namespace {
std::atomic<std::uint64_t> runs_in_process{0};  // every hasher's counted runs: lets tests see the work
}  // namespace

struct PasswordHasher::Impl {
    Impl(unsigned long long ops, std::size_t mem, unsigned slots, unsigned queue)
        : opslimit(ops), memlimit(mem), max_concurrent(slots), max_queued(queue) {}

    const unsigned long long opslimit;
    const std::size_t memlimit;
    const unsigned max_concurrent;
    const unsigned max_queued;

    // The gate: `taken` slots (at most max_concurrent), `waiting` callers queued for one
    // (at most max_queued). Guarded by `mutex`; mirrored in atomics for the test accessors.
    std::mutex mutex;
    std::condition_variable slot_freed;
    unsigned taken = 0;
    unsigned waiting = 0;
    std::atomic<unsigned> running{0};
    std::atomic<unsigned> queued{0};
    std::atomic<unsigned> peak{0};
    std::atomic<std::uint64_t> runs{0};

    std::once_flag dummy_once;
    std::string dummy_hash;

    // Holds one of the max_concurrent slots for the lifetime of the object; throws busy() when
    // every slot is taken and the queue is full.
    class Slot {
    public:
        Slot(Impl& impl, bool counted) : impl_(impl) {
            {
                std::unique_lock lock(impl_.mutex);
                if (impl_.taken >= impl_.max_concurrent) {
                    if (impl_.waiting >= impl_.max_queued) throw PasswordHasher::busy();
                    ++impl_.waiting;
                    impl_.queued.store(impl_.waiting, std::memory_order_relaxed);
                    impl_.slot_freed.wait(lock, [this] { return impl_.taken < impl_.max_concurrent; });
                    --impl_.waiting;
                    impl_.queued.store(impl_.waiting, std::memory_order_relaxed);
                }
                ++impl_.taken;
            }
            unsigned now = impl_.running.fetch_add(1, std::memory_order_relaxed) + 1;
            unsigned seen = impl_.peak.load(std::memory_order_relaxed);
            while (now > seen && !impl_.peak.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
            }
            if (counted) {
                impl_.runs.fetch_add(1, std::memory_order_relaxed);
                runs_in_process.fetch_add(1, std::memory_order_relaxed);
            }
        }
        ~Slot() {
            impl_.running.fetch_sub(1, std::memory_order_relaxed);
            {
                std::lock_guard lock(impl_.mutex);
                --impl_.taken;
            }
            impl_.slot_freed.notify_one();
        }
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;

    private:
        Impl& impl_;
    };

    std::string hash(std::string_view password, bool counted) {
        std::array<char, crypto_pwhash_STRBYTES> out{};
        int rc;
        {
            Slot slot(*this, counted);
            rc = crypto_pwhash_str_alg(out.data(), password_ptr(password), password.size(), opslimit, memlimit,
                                       crypto_pwhash_ALG_ARGON2ID13);
        }
        if (rc != 0) throw Error(Errc::internal, "password hashing failed");
        return std::string(out.data());
    }

    bool verify(std::string_view hash, std::string_view password) {
        if (!PasswordHasher::recognizes(hash)) return false;
        const std::string terminated(hash);
        if (is_bcrypt(hash)) return verify_bcrypt(terminated, password);
        Slot slot(*this, true);
        return crypto_pwhash_str_verify(terminated.c_str(), password_ptr(password), password.size()) == 0;
    }

    // crypt_r() recomputes the hash with the stored salt and cost; the result is compared in
    // constant time. bcrypt reads a C string: a password with U+0000 in it cannot be the one
    // hashed (the Node backend refuses it too), and bcrypt uses only its first 72 bytes, as the
    // Node backend did when it made the hash.
    bool verify_bcrypt(const std::string& hash, std::string_view password) {
        if (password.find('\0') != std::string_view::npos) return false;
        std::string terminated(password);
        auto data = std::make_unique<crypt_data>();  // about 32 KiB: not on the stack
        bool same = false;
        {
            Slot slot(*this, true);
            const char* computed = crypt_r(terminated.c_str(), hash.c_str(), data.get());
            // A failure is NULL or a string starting with '*', never equal to a real hash.
            same = computed && std::strlen(computed) == hash.size() &&
                   sodium_memcmp(computed, hash.data(), hash.size()) == 0;
        }
        sodium_memzero(terminated.data(), terminated.size());
        sodium_memzero(data.get(), sizeof(crypt_data));
        return same;
    }

    const std::string& dummy() {
        std::call_once(dummy_once, [this] {
            // A random password nobody knows; its hash has exactly the configured cost.
            std::array<unsigned char, 32> secret{};
            randombytes_buf(secret.data(), secret.size());
            std::array<char, 2 * 32 + 1> text{};
            sodium_bin2hex(text.data(), text.size(), secret.data(), secret.size());
            try {
                dummy_hash = hash(std::string_view(text.data(), 2 * 32), false);
            } catch (...) {
                sodium_memzero(text.data(), text.size());
                sodium_memzero(secret.data(), secret.size());
                throw;  // call_once stays unset: the next call tries again
            }
            sodium_memzero(text.data(), text.size());
            sodium_memzero(secret.data(), secret.size());
        });
        return dummy_hash;
    }
};

PasswordHasher::PasswordHasher(std::uint64_t opslimit, std::size_t memlimit, unsigned max_concurrent,
                               std::optional<unsigned> max_queued) {
    ensure_sodium();
    const std::uint64_t ops = opslimit == 0 ? crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE : opslimit;
    const std::size_t mem = memlimit == 0 ? crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE : memlimit;
    if (ops < crypto_pwhash_argon2id_OPSLIMIT_MIN || ops > crypto_pwhash_argon2id_OPSLIMIT_MAX)
        throw Error::invalid_field("passwordOpslimit", "must be between " +
                                                           std::to_string(crypto_pwhash_argon2id_OPSLIMIT_MIN) +
                                                           " and " +
                                                           std::to_string(crypto_pwhash_argon2id_OPSLIMIT_MAX));
    if (mem < crypto_pwhash_argon2id_MEMLIMIT_MIN || mem > crypto_pwhash_argon2id_MEMLIMIT_MAX)
        throw Error::invalid_field("passwordMemlimit", "must be between " +
                                                           std::to_string(crypto_pwhash_argon2id_MEMLIMIT_MIN) +
                                                           " and " +
                                                           std::to_string(crypto_pwhash_argon2id_MEMLIMIT_MAX));
    unsigned slots = max_concurrent != 0 ? max_concurrent : std::thread::hardware_concurrency();
    slots = std::max(slots, 1U);
    if (max_queued && *max_queued > max_queue_limit)
        throw Error::invalid_field("maxQueuedHashes", "must be at most " + std::to_string(max_queue_limit));
    // Twice the slots by default: a caller waits at most about two hashes' time.
    unsigned queue = max_queued ? *max_queued : std::min(2 * slots, max_queue_limit);
    impl_ = std::make_unique<Impl>(ops, mem, slots, queue);
}

Error PasswordHasher::busy() {
    return Error::retry_later(Errc::unavailable, "password hashing is busy", std::chrono::seconds(1));
}

PasswordHasher::~PasswordHasher() = default;

std::string PasswordHasher::hash(std::string_view password) const { return impl_->hash(password, true); }

bool PasswordHasher::verify(std::string_view hash, std::string_view password) const {
    return impl_->verify(hash, password);
}

bool PasswordHasher::recognizes(std::string_view hash) noexcept {
    if (is_bcrypt(hash)) return true;
    return plausible_hash(hash) && (hash.starts_with(argon2id_prefix) || hash.starts_with(argon2i_prefix));
}

std::string PasswordHasher::scheme_of(std::string_view hash) {
    // "$" + a short lower-case name + "$": an algorithm's tag, nothing secret. Anything else (a
    // plain-text password stored by some old system, say) is not echoed at all.
    if (hash.size() >= 3 && hash[0] == '$') {
        auto end = hash.find('$', 1);
        if (end != std::string_view::npos && end > 1 && end <= 12) {
            auto name = hash.substr(1, end - 1);
            if (std::all_of(name.begin(), name.end(),
                            [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }))
                return std::string(hash.substr(0, end + 1));
        }
    }
    return "unrecognised";
}

bool PasswordHasher::needs_rehash(std::string_view hash) const {
    if (!plausible_hash(hash) || hash.substr(0, argon2id_prefix.size()) != argon2id_prefix) return true;
    const std::string terminated(hash);
    // 0: same algorithm and cost; 1: other cost; -1: not a valid Argon2id string.
    return crypto_pwhash_argon2id_str_needs_rehash(terminated.c_str(), impl_->opslimit, impl_->memlimit) != 0;
}

bool PasswordHasher::verify_dummy(std::string_view password) const {
    (void)impl_->verify(impl_->dummy(), password);
    return false;
}

std::uint64_t password_hash_runs_in_process() noexcept { return runs_in_process.load(std::memory_order_relaxed); }

std::uint64_t PasswordHasher::runs() const noexcept { return impl_->runs.load(std::memory_order_relaxed); }

unsigned PasswordHasher::max_concurrent() const noexcept { return impl_->max_concurrent; }

unsigned PasswordHasher::peak_concurrent() const noexcept { return impl_->peak.load(std::memory_order_relaxed); }

unsigned PasswordHasher::max_queued() const noexcept { return impl_->max_queued; }

unsigned PasswordHasher::running() const noexcept { return impl_->running.load(std::memory_order_relaxed); }

unsigned PasswordHasher::queued() const noexcept { return impl_->queued.load(std::memory_order_relaxed); }

}  // namespace crm::detail
