// Fuzz target: access-token verification (src/jwt.cpp, JwtCodec::verify) with fixed keys.
//
// The first byte picks a mode and a codec; the rest is
// - mode "token": a compact JWS, verified as given. Mutations of the committed valid tokens reach
//   the header, cjose and signature checks.
// - mode "signed": a header JSON, a newline, a claims JSON. The target signs them itself with the
//   codec's key (HMAC from libsodium), so the fuzzer gets past the signature into the header and
//   claims checks, which an attacker without the key never reaches but a key holder (or a bug in
//   our signer) could.
// Verify must either return claims or throw crm::Error(unauthorized); anything else (another
// exception, a sanitizer report) is a finding. Accepted claims are checked for what verify promises.
#include "fuzz_common.hpp"

#include "jwt.hpp"

#include <crm/error.hpp>

#include <sodium.h>

#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using crm::detail::JwtCodec;

// 2023-11-14T22:13:20Z: a fixed clock, so that a replayed input behaves the same.
constexpr std::int64_t now_seconds = 1'700'000'000;
const crm::Timestamp now{std::chrono::seconds(now_seconds)};

constexpr std::string_view secret = "fuzzing-secret-0123456789abcdef-0123456789";

struct Codec {
    JwtCodec codec;
    crm::JwtAlgorithm algorithm;
    std::chrono::seconds leeway;
};

Codec& codec(unsigned which) {
    // 0: HS256 without issuer (the server's default); 1: HS384; 2: HS512 with an issuer.
    static Codec codecs[] = {
        {JwtCodec(std::string(secret), crm::JwtAlgorithm::hs256, std::nullopt, std::chrono::seconds(5)),
         crm::JwtAlgorithm::hs256, std::chrono::seconds(5)},
        {JwtCodec(std::string(secret), crm::JwtAlgorithm::hs384, std::nullopt, std::chrono::seconds(0)),
         crm::JwtAlgorithm::hs384, std::chrono::seconds(0)},
        {JwtCodec(std::string(secret), crm::JwtAlgorithm::hs512, std::string("crm-fuzz"), std::chrono::seconds(60)),
         crm::JwtAlgorithm::hs512, std::chrono::seconds(60)},
    };
    return codecs[which % 3];
}

std::string base64url(std::string_view bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::strlen(out.c_str()));
    return out;
}

// HMAC-SHA2 of `input` under the fuzzing secret, for the codec's algorithm.
std::string hmac(crm::JwtAlgorithm algorithm, std::string_view input) {
    const auto* key = reinterpret_cast<const unsigned char*>(secret.data());
    const auto* in = reinterpret_cast<const unsigned char*>(input.data());
    unsigned char mac[64];
    std::size_t length = 0;
    switch (algorithm) {
        case crm::JwtAlgorithm::hs256: {
            crypto_auth_hmacsha256_state st;
            crypto_auth_hmacsha256_init(&st, key, secret.size());
            crypto_auth_hmacsha256_update(&st, in, input.size());
            crypto_auth_hmacsha256_final(&st, mac);
            length = 32;
            break;
        }
        case crm::JwtAlgorithm::hs384: return {};  // libsodium has no SHA-384: token mode only
        case crm::JwtAlgorithm::hs512: {
            crypto_auth_hmacsha512_state st;
            crypto_auth_hmacsha512_init(&st, key, secret.size());
            crypto_auth_hmacsha512_update(&st, in, input.size());
            crypto_auth_hmacsha512_final(&st, mac);
            length = 64;
            break;
        }
    }
    return std::string(reinterpret_cast<const char*>(mac), length);
}

void verify(Codec& c, std::string_view token) {
    try {
        auto claims = c.codec.verify(token, now);
        // What verify promises about anything it accepts.
        CRM_FUZZ_CHECK(!claims.subject.is_nil());
        CRM_FUZZ_CHECK(claims.expires_at >= now_seconds - c.leeway.count());
        CRM_FUZZ_CHECK(token.size() <= 4096);
        // Deterministic: the same token gives the same claims.
        auto again = c.codec.verify(token, now);
        CRM_FUZZ_CHECK(again.subject == claims.subject && again.role == claims.role &&
                       again.issued_at == claims.issued_at && again.expires_at == claims.expires_at);
    } catch (const crm::Error& e) {
        CRM_FUZZ_CHECK(e.code() == crm::Errc::unauthorized);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1 || size > 8192) return -1;
    if (sodium_init() < 0) std::abort();
    const unsigned mode = data[0] & 1u;
    Codec& c = codec(data[0] >> 1);
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    if (mode == 0) {
        verify(c, rest);
        return 0;
    }
    auto newline = rest.find('\n');
    if (newline == std::string_view::npos) return 0;
    std::string signing_input = base64url(rest.substr(0, newline)) + "." + base64url(rest.substr(newline + 1));
    std::string mac = hmac(c.algorithm, signing_input);
    if (mac.empty()) return 0;
    verify(c, signing_input + "." + base64url(mac));
    return 0;
}
