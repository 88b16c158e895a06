// Login throttling: which keys an attempt counts against, the limit check, recording failures.
#include "login_throttle.hpp"

#include "stores.hpp"

#include <crm/error.hpp>

#include <arpa/inet.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace crm::detail {

namespace {

// Expired rows deleted per recorded failure. Each failure adds at most two rows, so deleting up
// to this many keeps the table near the rows of one window, whatever emails an attacker makes up.
constexpr long long purge_batch = 32;

// Hex BLAKE2b-256 of `kind` and `value`: the database never holds the email or address itself, and
// every key has the same short length, however long the input.
std::string key_of(std::string_view kind, std::string_view value) {
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kind.data()), kind.size());
    const unsigned char separator = 0;
    crypto_generichash_update(&state, &separator, 1);
    if (!value.empty())
        crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(value.data()), value.size());
    std::array<unsigned char, crypto_generichash_BYTES> digest{};
    crypto_generichash_final(&state, digest.data(), digest.size());
    std::array<char, 2 * crypto_generichash_BYTES + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    return std::string(hex.data(), 2 * crypto_generichash_BYTES);
}

std::chrono::seconds ceil_seconds(std::chrono::milliseconds ms) {
    return std::chrono::ceil<std::chrono::seconds>(ms);
}

}  // namespace

std::string client_address_group(std::string_view client_address) {
    if (client_address.empty() || client_address.size() >= INET6_ADDRSTRLEN) return std::string(client_address);
    const std::string text(client_address);
    std::array<unsigned char, 16> bytes{};
    std::array<char, INET6_ADDRSTRLEN> out{};
    if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) {
        inet_ntop(AF_INET, bytes.data(), out.data(), out.size());
        return out.data();
    }
    if (inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) return text;
    static constexpr std::array<unsigned char, 12> v4_mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(v4_mapped.begin(), v4_mapped.end(), bytes.begin())) {
        inet_ntop(AF_INET, bytes.data() + 12, out.data(), out.size());
        return out.data();
    }
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    inet_ntop(AF_INET6, bytes.data(), out.data(), out.size());
    return std::string(out.data()) + "/64";
}

LoginThrottle::LoginThrottle(unsigned max_failures, std::chrono::seconds window)
    : max_failures_(max_failures), window_(window) {
    if (max_failures > max_failures_limit)
        throw Error::invalid_field("loginMaxFailures", "must be at most " + std::to_string(max_failures_limit));
    if (window < min_window || window > max_window)
        throw Error::invalid_field("loginWindow", "must be between 1 and 86400 seconds");
}

LoginThrottle::Keys LoginThrottle::keys(std::string_view normalized_email, std::string_view client_address) {
    Keys keys;
    keys.all.push_back(key_of("email", normalized_email));
    if (!client_address.empty()) keys.all.push_back(key_of("address", client_address_group(client_address)));
    return keys;
}

void LoginThrottle::check(Lease& lease, const Keys& keys, Timestamp now) const {
    if (!enabled()) return;
    std::chrono::milliseconds wait{0};
    for (const auto& count : login_throttle_store::find_live(lease, keys.all, now))
        if (count.failures >= static_cast<long long>(max_failures_)) wait = std::max(wait, count.window_end - now);
    // One message for every case: it must not tell a real email from an unknown one, nor say
    // which of email and address tripped.
    if (wait.count() > 0)
        throw Error::retry_later(Errc::throttled, "too many failed logins, try again later", ceil_seconds(wait));
}

void LoginThrottle::record_failure(Lease& lease, const Keys& keys, Timestamp now) const {
    if (!enabled()) return;
    for (const auto& key : keys.all) login_throttle_store::record_failure(lease, key, now, window_);
    (void)login_throttle_store::purge_expired(lease, now, purge_batch);
}

void LoginThrottle::clear_email(Lease& lease, const Keys& keys) const {
    if (!enabled()) return;
    login_throttle_store::clear(lease, keys.email());
}

}  // namespace crm::detail
