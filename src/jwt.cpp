// Access tokens (compact JWS, HMAC-SHA2) and refresh-token secrets.
//
// cjose is only handed tokens that already passed our own checks: cjose picks the algorithm from
// the token's own header, accepts `alg: none` on import, and its HMAC verification compares
// digest-length bytes before it checks the signature's length (an over-read on a short one).
#include "jwt.hpp"

#include <crm/error.hpp>

#include <cjose/cjose.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <array>
#include <cstring>
#include <limits>
#include <set>
#include <vector>

namespace crm::detail {

namespace {

constexpr std::size_t max_token_size = 4096;
constexpr std::size_t min_secret_size = 32;
constexpr std::size_t refresh_secret_bytes = 32;
constexpr std::size_t refresh_hash_bytes = 32;

void ensure_sodium() {
    static const bool ready = sodium_init() >= 0;
    if (!ready) throw Error(Errc::internal, "libsodium could not be initialised");
}

/// One message for every refusal: a caller learns nothing about why.
[[noreturn]] void refuse() { throw Error(Errc::unauthorized, "invalid or expired access token"); }

const char* cjose_alg(JwtAlgorithm algorithm) noexcept {
    switch (algorithm) {
        case JwtAlgorithm::hs256: return CJOSE_HDR_ALG_HS256;
        case JwtAlgorithm::hs384: return CJOSE_HDR_ALG_HS384;
        case JwtAlgorithm::hs512: return CJOSE_HDR_ALG_HS512;
    }
    return CJOSE_HDR_ALG_HS256;
}

/// base64url characters of an unpadded HMAC of that algorithm: ceil(8 * bytes / 6).
std::size_t signature_chars(JwtAlgorithm algorithm) noexcept {
    switch (algorithm) {
        case JwtAlgorithm::hs256: return 43;  // 32 bytes
        case JwtAlgorithm::hs384: return 64;  // 48 bytes
        case JwtAlgorithm::hs512: return 86;  // 64 bytes
    }
    return 0;
}

bool is_base64url(std::string_view segment) noexcept {
    if (segment.empty()) return false;
    for (char c : segment) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

/// Strict unpadded base64url: libsodium refuses a dangling character and non-zero unused bits,
/// so every byte string has exactly one accepted encoding.
std::optional<std::string> decode_base64url(std::string_view segment) {
    std::string out(segment.size() * 3 / 4 + 1, '\0');
    std::size_t length = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), segment.data(), segment.size(),
                          nullptr, &length, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return std::nullopt;
    out.resize(length);
    return out;
}

/// A JSON object, or nullopt for anything else, including an object with a repeated key at any
/// depth (so no two JSON parsers can read a different value from it).
std::optional<nlohmann::json> parse_object(std::string_view text) {
    using nlohmann::json;
    std::vector<std::set<std::string>> keys;
    bool repeated = false;
    json::parser_callback_t watch = [&](int, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start: keys.emplace_back(); break;
            case json::parse_event_t::object_end:
                if (!keys.empty()) keys.pop_back();
                break;
            case json::parse_event_t::key:
                if (keys.empty() || !parsed.is_string() || !keys.back().insert(parsed.get<std::string>()).second)
                    repeated = true;
                break;
            default: break;
        }
        return true;
    };
    json value = json::parse(text.begin(), text.end(), watch, /*allow_exceptions=*/false);
    if (value.is_discarded() || repeated || !value.is_object()) return std::nullopt;
    return value;
}

std::optional<std::int64_t> integer_claim(const nlohmann::json& claims, const char* name) {
    auto it = claims.find(name);
    if (it == claims.end()) return std::nullopt;
    if (it->is_number_unsigned()) {
        auto v = it->get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
        return static_cast<std::int64_t>(v);
    }
    if (it->is_number_integer()) return it->get<std::int64_t>();
    return std::nullopt;
}

std::optional<std::string> string_claim(const nlohmann::json& claims, const char* name) {
    auto it = claims.find(name);
    if (it == claims.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

std::int64_t epoch_seconds(Timestamp t) noexcept {
    return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

struct JwkRelease {
    void operator()(cjose_jwk_t* jwk) const noexcept { cjose_jwk_release(jwk); }
};
struct HeaderRelease {
    void operator()(cjose_header_t* header) const noexcept { cjose_header_release(header); }
};
struct JwsRelease {
    void operator()(cjose_jws_t* jws) const noexcept { cjose_jws_release(jws); }
};
using JwkPtr = std::unique_ptr<cjose_jwk_t, JwkRelease>;
using HeaderPtr = std::unique_ptr<cjose_header_t, HeaderRelease>;
using JwsPtr = std::unique_ptr<cjose_jws_t, JwsRelease>;

}  // namespace

struct JwtCodec::Impl {
    JwkPtr key;  // read only after construction: cjose signs and verifies with a const key
    JwtAlgorithm algorithm = JwtAlgorithm::hs256;
    std::optional<std::string> issuer;
    std::chrono::seconds leeway{0};

    std::optional<AccessClaims> check(std::string_view token, Timestamp now) const;
};

JwtCodec::JwtCodec(std::string secret, JwtAlgorithm algorithm, std::optional<std::string> issuer,
                   std::chrono::seconds leeway) {
    if (secret.size() < min_secret_size) {
        sodium_memzero(secret.data(), secret.size());
        throw Error::invalid_field("jwtSecret", "must be at least 32 bytes");
    }
    ensure_sodium();
    if (issuer) {
        try {
            (void)nlohmann::json(*issuer).dump();
        } catch (const nlohmann::json::exception&) {
            sodium_memzero(secret.data(), secret.size());
            throw Error::invalid_field("issuer", "must be valid UTF-8");
        }
    }
    auto impl = std::make_unique<Impl>();
    cjose_err err{};
    impl->key.reset(cjose_jwk_create_oct_spec(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size(), &err));
    sodium_memzero(secret.data(), secret.size());
    if (!impl->key) throw Error(Errc::internal, "the access token key could not be created");
    impl->algorithm = algorithm;
    impl->issuer = std::move(issuer);
    impl->leeway = leeway;
    impl_ = std::move(impl);
}

JwtCodec::~JwtCodec() = default;

std::string JwtCodec::sign(const Uuid& subject, Role role, Timestamp now, std::chrono::seconds ttl) const {
    const std::int64_t issued_at = epoch_seconds(now);
    nlohmann::ordered_json claims = nlohmann::ordered_json::object();
    claims["sub"] = subject.to_string();
    claims["role"] = std::string(to_string(role));
    claims["iat"] = issued_at;
    claims["exp"] = issued_at + static_cast<std::int64_t>(ttl.count());
    if (impl_->issuer) claims["iss"] = *impl_->issuer;
    const std::string payload = claims.dump();

    cjose_err err{};
    HeaderPtr header(cjose_header_new(&err));
    if (!header || !cjose_header_set(header.get(), CJOSE_HDR_ALG, cjose_alg(impl_->algorithm), &err) ||
        !cjose_header_set(header.get(), "typ", "JWT", &err))
        throw Error(Errc::internal, "access token signing failed");
    JwsPtr jws(cjose_jws_sign(impl_->key.get(), header.get(), reinterpret_cast<const std::uint8_t*>(payload.data()),
                              payload.size(), &err));
    const char* compact = nullptr;
    if (!jws || !cjose_jws_export(jws.get(), &compact, &err) || compact == nullptr)
        throw Error(Errc::internal, "access token signing failed");
    return std::string(compact);
}

AccessClaims JwtCodec::verify(std::string_view token, Timestamp now) const {
    std::optional<AccessClaims> claims;
    try {
        claims = impl_->check(token, now);
    } catch (const std::bad_alloc&) {
        throw;
    } catch (...) {
        refuse();
    }
    if (!claims) refuse();
    return *claims;
}

std::optional<AccessClaims> JwtCodec::Impl::check(std::string_view token, Timestamp now) const {
    // 1. Shape: bounded, three non-empty base64url segments, a signature of the exact length.
    if (token.empty() || token.size() > max_token_size) return std::nullopt;
    const std::size_t dot1 = token.find('.');
    if (dot1 == std::string_view::npos) return std::nullopt;
    const std::size_t dot2 = token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) return std::nullopt;
    const std::string_view header_b64 = token.substr(0, dot1);
    const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
    const std::string_view signature_b64 = token.substr(dot2 + 1);
    if (!is_base64url(header_b64) || !is_base64url(payload_b64) || !is_base64url(signature_b64)) return std::nullopt;
    if (signature_b64.size() != signature_chars(algorithm)) return std::nullopt;
    auto header_text = decode_base64url(header_b64);
    auto payload_text = decode_base64url(payload_b64);
    if (!header_text || !payload_text || !decode_base64url(signature_b64)) return std::nullopt;

    // 2. Header: exactly our algorithm, typ JWT when given, no critical extensions.
    auto header = parse_object(*header_text);
    if (!header) return std::nullopt;
    auto alg = string_claim(*header, "alg");
    if (!alg || *alg != to_string(algorithm)) return std::nullopt;
    if (header->contains("typ")) {
        auto typ = string_claim(*header, "typ");
        if (!typ || *typ != "JWT") return std::nullopt;
    }
    if (header->contains("crit")) return std::nullopt;

    // 3. Signature, by cjose.
    cjose_err err{};
    JwsPtr jws(cjose_jws_import(token.data(), token.size(), &err));
    if (!jws) return std::nullopt;
    // cjose read the header with jansson; make sure it saw the same algorithm.
    const char* cjose_seen = cjose_header_get(cjose_jws_get_protected(jws.get()), CJOSE_HDR_ALG, &err);
    if (cjose_seen == nullptr || std::strcmp(cjose_seen, cjose_alg(algorithm)) != 0) return std::nullopt;
    if (!cjose_jws_verify(jws.get(), key.get(), &err)) return std::nullopt;
    std::uint8_t* plaintext = nullptr;
    std::size_t plaintext_len = 0;
    if (!cjose_jws_get_plaintext(jws.get(), &plaintext, &plaintext_len, &err)) return std::nullopt;
    const std::string_view verified(reinterpret_cast<const char*>(plaintext), plaintext_len);
    if (plaintext_len == 0 || verified != *payload_text) return std::nullopt;

    // 4. Claims.
    auto claims = parse_object(verified);
    if (!claims) return std::nullopt;
    auto sub = string_claim(*claims, "sub");
    auto role_name = string_claim(*claims, "role");
    auto iat = integer_claim(*claims, "iat");
    auto exp = integer_claim(*claims, "exp");
    if (!sub || !role_name || !iat || !exp) return std::nullopt;
    auto subject = Uuid::parse(*sub);
    auto role = parse<Role>(*role_name);
    if (!subject || subject->is_nil() || !role) return std::nullopt;
    if (issuer) {
        auto iss = string_claim(*claims, "iss");
        if (!iss || *iss != *issuer) return std::nullopt;
    }
    // Accepted while exp + leeway >= now, written so that no value of exp can overflow.
    std::int64_t oldest_exp = 0;
    if (__builtin_sub_overflow(epoch_seconds(now), static_cast<std::int64_t>(leeway.count()), &oldest_exp))
        oldest_exp = leeway.count() > 0 ? std::numeric_limits<std::int64_t>::min()
                                        : std::numeric_limits<std::int64_t>::max();
    if (*exp < oldest_exp) return std::nullopt;

    return AccessClaims{*subject, *role, *iat, *exp};
}

std::string new_refresh_secret() {
    ensure_sodium();
    std::array<unsigned char, refresh_secret_bytes> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    constexpr std::size_t encoded =
        sodium_base64_ENCODED_LEN(refresh_secret_bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    std::array<char, encoded> text{};
    sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(bytes.data(), bytes.size());
    std::string secret(text.data());
    sodium_memzero(text.data(), text.size());
    return secret;
}

std::string hash_refresh_secret(std::string_view secret) {
    ensure_sodium();
    std::array<unsigned char, refresh_hash_bytes> digest{};
    const auto* in = reinterpret_cast<const unsigned char*>(secret.empty() ? "" : secret.data());
    if (crypto_generichash(digest.data(), digest.size(), in, secret.size(), nullptr, 0) != 0)
        throw Error(Errc::internal, "refresh token hashing failed");
    std::array<char, 2 * refresh_hash_bytes + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    return std::string(hex.data());
}

}  // namespace crm::detail
