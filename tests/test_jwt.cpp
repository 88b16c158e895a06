// JwtCodec, refresh secrets and their hashes. Not database tests.
#include "jwt.hpp"

#include <crm/error.hpp>
#include <crm/service.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <vector>

using crm::JwtAlgorithm;
using crm::Role;
using crm::Timestamp;
using crm::Uuid;
using crm::detail::JwtCodec;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string secret = "0123456789abcdef0123456789abcdef";  // exactly 32 bytes
const Uuid subject = *Uuid::parse("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b");
constexpr std::int64_t t0 = 1'800'000'000;  // seconds since the epoch

Timestamp at(std::int64_t seconds, std::int64_t millis = 0) {
    return Timestamp{std::chrono::milliseconds{seconds * 1000 + millis}};
}

JwtCodec codec(JwtAlgorithm alg = JwtAlgorithm::hs256, std::optional<std::string> issuer = std::nullopt,
               std::chrono::seconds leeway = 5s, const std::string& key = secret) {
    return JwtCodec(key, alg, std::move(issuer), leeway);
}

std::string b64url(std::string_view bytes) {
    std::vector<char> out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING));
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return std::string(out.data());
}

std::string unb64url(std::string_view text) {
    std::string out(text.size(), '\0');
    std::size_t len = 0;
    REQUIRE(sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                              nullptr, &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0);
    out.resize(len);
    return out;
}

std::vector<std::string> segments(const std::string& token) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        std::size_t dot = token.find('.', start);
        parts.push_back(token.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) return parts;
        start = dot + 1;
    }
}

/// HMAC-SHA256 or -SHA512 over "header.payload", computed with libsodium, independent of cjose.
std::string hmac(JwtAlgorithm alg, std::string_view input, std::string_view key) {
    const auto* k = reinterpret_cast<const unsigned char*>(key.data());
    const auto* in = reinterpret_cast<const unsigned char*>(input.data());
    if (alg == JwtAlgorithm::hs256) {
        std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, k, key.size());
        crypto_auth_hmacsha256_update(&st, in, input.size());
        crypto_auth_hmacsha256_final(&st, mac.data());
        return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
    }
    REQUIRE(alg == JwtAlgorithm::hs512);
    std::array<unsigned char, crypto_auth_hmacsha512_BYTES> mac{};
    crypto_auth_hmacsha512_state st;
    crypto_auth_hmacsha512_init(&st, k, key.size());
    crypto_auth_hmacsha512_update(&st, in, input.size());
    crypto_auth_hmacsha512_final(&st, mac.data());
    return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

/// A correctly signed token with any header and payload text.
std::string hand_token(std::string_view header, std::string_view payload, std::string_view key = secret,
                       JwtAlgorithm alg = JwtAlgorithm::hs256) {
    std::string input = b64url(header) + "." + b64url(payload);
    return input + "." + b64url(hmac(alg, input, key));
}

json good_claims() {
    return json{{"sub", subject.to_string()}, {"role", "MANAGER"}, {"iat", t0}, {"exp", t0 + 900}};
}

const std::string hs256_header = R"({"alg":"HS256","typ":"JWT"})";

void check_refused(const JwtCodec& c, std::string_view token, Timestamp now = at(t0)) {
    try {
        (void)c.verify(token, now);
        FAIL("accepted: " << std::string(token.substr(0, 200)));
    } catch (const crm::Error& e) {
        CHECK(e.code() == crm::Errc::unauthorized);
        CHECK(std::string(e.what()) == "invalid or expired access token");
        CHECK(e.field_errors().empty());
    }
}

}  // namespace

TEST_CASE("jwt: algorithm names") {
    CHECK(crm::to_string(JwtAlgorithm::hs256) == "HS256");
    CHECK(crm::to_string(JwtAlgorithm::hs384) == "HS384");
    CHECK(crm::to_string(JwtAlgorithm::hs512) == "HS512");
    CHECK(crm::parse<JwtAlgorithm>("HS256") == JwtAlgorithm::hs256);
    CHECK(crm::parse<JwtAlgorithm>("HS384") == JwtAlgorithm::hs384);
    CHECK(crm::parse<JwtAlgorithm>("HS512") == JwtAlgorithm::hs512);
    CHECK_FALSE(crm::parse<JwtAlgorithm>("hs256"));
    CHECK_FALSE(crm::parse<JwtAlgorithm>("none"));
    CHECK_FALSE(crm::parse<JwtAlgorithm>("RS256"));
    CHECK_FALSE(crm::parse<JwtAlgorithm>(""));
}

TEST_CASE("jwt: sign and verify round trip (HS256)") {
    auto c = codec();
    std::string token = c.sign(subject, Role::manager, at(t0, 999), 900s);
    auto parts = segments(token);
    REQUIRE(parts.size() == 3);
    CHECK(json::parse(unb64url(parts[0])) == json::parse(hs256_header));
    CHECK(json::parse(unb64url(parts[1])) == good_claims());
    CHECK(parts[2].size() == 43);
    // The same token as an independent HMAC implementation makes.
    CHECK(parts[2] == b64url(hmac(JwtAlgorithm::hs256, parts[0] + "." + parts[1], secret)));

    auto claims = c.verify(token, at(t0 + 1));
    CHECK(claims.subject == subject);
    CHECK(claims.role == Role::manager);
    CHECK(claims.issued_at == t0);
    CHECK(claims.expires_at == t0 + 900);

    for (Role r : {Role::admin, Role::manager, Role::sales})
        CHECK(c.verify(c.sign(subject, r, at(t0), 60s), at(t0)).role == r);
}

TEST_CASE("jwt: HS384 and HS512 round trip") {
    for (auto [alg, sig_chars] : {std::pair{JwtAlgorithm::hs384, 64U}, std::pair{JwtAlgorithm::hs512, 86U}}) {
        CAPTURE(crm::to_string(alg));
        auto c = codec(alg);
        std::string token = c.sign(subject, Role::admin, at(t0), 60s);
        auto parts = segments(token);
        REQUIRE(parts.size() == 3);
        CHECK(json::parse(unb64url(parts[0]))["alg"] == std::string(crm::to_string(alg)));
        CHECK(parts[2].size() == sig_chars);
        auto claims = c.verify(token, at(t0 + 30));
        CHECK(claims.subject == subject);
        CHECK(claims.role == Role::admin);
        // Another algorithm with the same key does not accept it.
        check_refused(codec(JwtAlgorithm::hs256), token);
        check_refused(codec(alg == JwtAlgorithm::hs384 ? JwtAlgorithm::hs512 : JwtAlgorithm::hs384), token);
    }
    // A hand-made HS512 token verifies too.
    CHECK(codec(JwtAlgorithm::hs512).verify(hand_token(R"({"alg":"HS512"})", good_claims().dump(), secret,
                                                       JwtAlgorithm::hs512),
                                            at(t0))
              .role == Role::manager);
}

TEST_CASE("jwt: a hand-made token of the right shape is accepted (the helpers are right)") {
    auto c = codec();
    CHECK(c.verify(hand_token(hs256_header, good_claims().dump()), at(t0)).subject == subject);
    CHECK(c.verify(hand_token(R"({"alg":"HS256"})", good_claims().dump()), at(t0)).role == Role::manager);
    // Upper-case hex is a UUID too.
    json upper = good_claims();
    upper["sub"] = "0190A1B2-C3D4-7E5F-8A6B-7C8D9E0F1A2B";
    CHECK(c.verify(hand_token(hs256_header, upper.dump()), at(t0)).subject == subject);
}

TEST_CASE("jwt: alg none is refused") {
    auto c = codec();
    std::string payload = b64url(good_claims().dump());
    check_refused(c, b64url(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".");
    check_refused(c, b64url(R"({"alg":"none"})") + "." + payload + ".");
    // Even with a signature of the HS256 length, or one made with the key.
    check_refused(c, b64url(R"({"alg":"none","typ":"JWT"})") + "." + payload + "." + std::string(43, 'A'));
    check_refused(c, hand_token(R"({"alg":"none","typ":"JWT"})", good_claims().dump()));
    check_refused(c, hand_token(R"({"alg":"None"})", good_claims().dump()));
    check_refused(c, hand_token(R"({"alg":"hs256"})", good_claims().dump()));
    check_refused(c, hand_token(R"({"typ":"JWT"})", good_claims().dump()));
    check_refused(c, hand_token(R"({"alg":null})", good_claims().dump()));
    check_refused(c, hand_token(R"({"alg":["HS256"]})", good_claims().dump()));
}

TEST_CASE("jwt: a token of another algorithm is refused") {
    auto hs384_token = codec(JwtAlgorithm::hs384).sign(subject, Role::admin, at(t0), 60s);
    check_refused(codec(JwtAlgorithm::hs256), hs384_token);
    // The right signature length for HS256 but the header says HS512: refused on the header.
    auto parts = segments(codec().sign(subject, Role::admin, at(t0), 60s));
    check_refused(codec(), b64url(R"({"alg":"HS512","typ":"JWT"})") + "." + parts[1] + "." + parts[2]);
    check_refused(codec(), hand_token(R"({"alg":"HS512","typ":"JWT"})", good_claims().dump(), secret,
                                      JwtAlgorithm::hs512));
}

TEST_CASE("jwt: header checks") {
    auto c = codec();
    std::string claims = good_claims().dump();
    check_refused(c, hand_token(R"({"alg":"HS256","typ":"JWS"})", claims));
    check_refused(c, hand_token(R"({"alg":"HS256","typ":"jwt"})", claims));
    check_refused(c, hand_token(R"({"alg":"HS256","typ":7})", claims));
    check_refused(c, hand_token(R"({"alg":"HS256","crit":["exp"]})", claims));
    check_refused(c, hand_token(R"({"alg":"HS256","alg":"HS256"})", claims));
    check_refused(c, hand_token(R"({"alg":"none","alg":"HS256"})", claims));
    check_refused(c, hand_token(R"({"alg":"HS256","x":{"a":1,"a":2}})", claims));
    check_refused(c, hand_token("\"HS256\"", claims));
    check_refused(c, hand_token("[]", claims));
    check_refused(c, hand_token("{}", claims));
    check_refused(c, hand_token("{\"alg\":\"HS256\"", claims));
    check_refused(c, hand_token(std::string("{\"alg\":\"HS256\\u0000\"}"), claims));
    check_refused(c, hand_token(std::string("{\"alg\":\"HS256\"}\0", 16), claims));
    // Other members are tolerated; escapes decode to the same name.
    CHECK_NOTHROW((void)c.verify(hand_token(R"({"alg":"HS256","kid":"k1"})", claims), at(t0)));
    CHECK_NOTHROW((void)c.verify(hand_token(R"({"alg":"\u0048S256"})", claims), at(t0)));
}

TEST_CASE("jwt: tampering is detected") {
    auto c = codec();
    std::string token = c.sign(subject, Role::sales, at(t0), 900s);
    auto parts = segments(token);
    REQUIRE(parts.size() == 3);

    SUBCASE("bad signature") {
        std::string sig = parts[2];
        sig[10] = sig[10] == 'A' ? 'B' : 'A';
        check_refused(c, parts[0] + "." + parts[1] + "." + sig);
        check_refused(c, parts[0] + "." + parts[1] + "." + std::string(43, 'A'));
    }
    SUBCASE("tampered header") {
        std::string header = b64url(R"({"alg":"HS256","typ":"JWT","kid":"x"})");
        check_refused(c, header + "." + parts[1] + "." + parts[2]);
        check_refused(c, b64url(R"({"typ":"JWT","alg":"HS256"})") + "." + parts[1] + "." + parts[2]);
    }
    SUBCASE("tampered payload") {
        json claims = json::parse(unb64url(parts[1]));
        claims["role"] = "ADMIN";
        check_refused(c, parts[0] + "." + b64url(claims.dump()) + "." + parts[2]);
        claims = json::parse(unb64url(parts[1]));
        claims["exp"] = t0 + 999999;
        check_refused(c, parts[0] + "." + b64url(claims.dump()) + "." + parts[2]);
    }
    SUBCASE("signature truncated or extended") {
        check_refused(c, token.substr(0, token.size() - 1));
        check_refused(c, token + "A");
        check_refused(c, token + "AAAA");
        check_refused(c, token + "=");
        check_refused(c, token.substr(0, token.size() - 2));
        check_refused(c, parts[0] + "." + parts[1] + "." + parts[2].substr(0, 22));
        // A truncated token of a stronger algorithm must not pass as a weaker one either.
        auto long_parts = segments(codec(JwtAlgorithm::hs512).sign(subject, Role::sales, at(t0), 900s));
        check_refused(c, long_parts[0] + "." + long_parts[1] + "." + long_parts[2].substr(0, 43));
    }
    SUBCASE("non-canonical base64url in the signature") {
        // 43 characters carry 258 bits for 256: the last character's two low bits must be zero.
        const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        std::string sig = parts[2];
        auto v = alphabet.find(sig.back());
        REQUIRE(v != std::string::npos);
        REQUIRE((v & 3U) == 0);
        sig.back() = alphabet[v | 1U];
        check_refused(c, parts[0] + "." + parts[1] + "." + sig);
    }
    SUBCASE("padding and other characters") {
        check_refused(c, parts[0] + "=." + parts[1] + "." + parts[2]);
        check_refused(c, parts[0] + "." + parts[1] + "=." + parts[2]);
        check_refused(c, " " + token);
        check_refused(c, token + " ");
        check_refused(c, token + "\n");
        check_refused(c, std::string(token).replace(token.find('.'), 1, ".\0", 2));
        std::string plus = token;
        for (auto& ch : plus)
            if (ch == '-') ch = '+';
            else if (ch == '_') ch = '/';
        if (plus != token) check_refused(c, plus);
    }
    // Untouched, it still verifies.
    CHECK(c.verify(token, at(t0)).role == Role::sales);
}

TEST_CASE("jwt: malformed tokens are refused") {
    auto c = codec();
    std::string token = c.sign(subject, Role::sales, at(t0), 900s);
    auto parts = segments(token);
    check_refused(c, "");
    check_refused(c, "garbage");
    check_refused(c, "not.a.token");
    check_refused(c, "..");
    check_refused(c, "...");
    check_refused(c, "a.b.c");
    check_refused(c, "\xff\xfe.\x00.x");
    check_refused(c, parts[0] + "." + parts[1]);                                    // two segments
    check_refused(c, parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[2]);  // four segments
    check_refused(c, token + ".");
    check_refused(c, "." + token);
    check_refused(c, parts[0] + ".." + parts[2]);
    check_refused(c, "." + parts[1] + "." + parts[2]);
    check_refused(c, b64url("{") + "." + parts[1] + "." + parts[2]);
    check_refused(c, "A." + parts[1] + "." + parts[2]);  // a dangling base64 character
}

TEST_CASE("jwt: huge tokens are refused before parsing") {
    auto c = codec();
    json claims = good_claims();
    claims["pad"] = std::string(5000, 'x');
    check_refused(c, hand_token(hs256_header, claims.dump()));
    check_refused(c, std::string(100000, 'A') + "." + std::string(100000, 'A') + "." + std::string(43, 'A'));
    check_refused(c, std::string(1 << 20, '.'));
    // Deep nesting within the limit does not hurt either.
    std::string deep = std::string(1300, '[') + std::string(1300, ']');
    check_refused(c, hand_token(R"({"alg":"HS256"})", R"({"x":)" + deep + "}"));
    // Just under the limit a signed token still verifies.
    claims["pad"] = std::string(2800, 'x');
    std::string big = hand_token(hs256_header, claims.dump());
    REQUIRE(big.size() <= 4096);
    CHECK(c.verify(big, at(t0)).subject == subject);
}

TEST_CASE("jwt: a token signed with another secret is refused") {
    std::string other = "fedcba9876543210fedcba9876543210";
    auto theirs = codec(JwtAlgorithm::hs256, std::nullopt, 5s, other);
    check_refused(codec(), theirs.sign(subject, Role::admin, at(t0), 60s));
    check_refused(codec(), hand_token(hs256_header, good_claims().dump(), other));
    // A secret that differs only in length.
    check_refused(codec(JwtAlgorithm::hs256, std::nullopt, 5s, secret + "x"), codec().sign(subject, Role::admin, at(t0), 60s));
}

TEST_CASE("jwt: expiry with leeway") {
    auto c = codec(JwtAlgorithm::hs256, std::nullopt, 5s);
    std::string token = c.sign(subject, Role::sales, at(t0), 60s);
    CHECK_NOTHROW((void)c.verify(token, at(t0 + 60)));         // exp == now
    CHECK_NOTHROW((void)c.verify(token, at(t0 + 63)));         // within leeway
    CHECK_NOTHROW((void)c.verify(token, at(t0 + 65, 999)));    // exp + leeway == now (seconds)
    check_refused(c, token, at(t0 + 66));                      // beyond leeway
    check_refused(c, token, at(t0 + 100000));

    auto strict = codec(JwtAlgorithm::hs256, std::nullopt, 0s);
    CHECK_NOTHROW((void)strict.verify(token, at(t0 + 60)));
    check_refused(strict, token, at(t0 + 61));

    // Extreme exp values neither overflow nor pass.
    json claims = good_claims();
    claims["exp"] = std::numeric_limits<std::int64_t>::min();
    check_refused(c, hand_token(hs256_header, claims.dump()));
    claims["exp"] = std::numeric_limits<std::int64_t>::max();
    CHECK_NOTHROW((void)c.verify(hand_token(hs256_header, claims.dump()), at(t0)));
    claims["exp"] = std::uint64_t{std::numeric_limits<std::int64_t>::max()} + 1;
    check_refused(c, hand_token(hs256_header, claims.dump()));
    claims["exp"] = -1;
    check_refused(c, hand_token(hs256_header, claims.dump()));
}

TEST_CASE("jwt: issuer") {
    auto with_iss = codec(JwtAlgorithm::hs256, std::string("crm-test"));
    std::string token = with_iss.sign(subject, Role::sales, at(t0), 60s);
    CHECK(json::parse(unb64url(segments(token)[1]))["iss"] == "crm-test");
    CHECK(with_iss.verify(token, at(t0)).subject == subject);

    // Wrong issuer, no issuer, non-string issuer.
    check_refused(codec(JwtAlgorithm::hs256, std::string("someone-else")), token);
    check_refused(with_iss, codec().sign(subject, Role::sales, at(t0), 60s));
    json claims = good_claims();
    claims["iss"] = json::array({"crm-test"});
    check_refused(with_iss, hand_token(hs256_header, claims.dump()));
    claims["iss"] = "crm-test ";
    check_refused(with_iss, hand_token(hs256_header, claims.dump()));
    claims["iss"] = "crm-test";
    CHECK_NOTHROW((void)with_iss.verify(hand_token(hs256_header, claims.dump()), at(t0)));

    try {
        (void)codec(JwtAlgorithm::hs256, std::string("\xff\xfe"));
        FAIL("no exception");
    } catch (const crm::Error& e) {
        CHECK(e.code() == crm::Errc::invalid);
    }
}

TEST_CASE("jwt: claims are checked") {
    auto c = codec();
    auto refused_with = [&](auto&& edit) {
        json claims = good_claims();
        edit(claims);
        check_refused(c, hand_token(hs256_header, claims.dump()));
    };
    SUBCASE("sub") {
        refused_with([](json& j) { j.erase("sub"); });
        refused_with([](json& j) { j["sub"] = "not-a-uuid"; });
        refused_with([](json& j) { j["sub"] = ""; });
        refused_with([](json& j) { j["sub"] = "00000000-0000-0000-0000-000000000000"; });
        refused_with([](json& j) { j["sub"] = "{0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b}"; });
        refused_with([](json& j) { j["sub"] = 42; });
        refused_with([](json& j) { j["sub"] = nullptr; });
    }
    SUBCASE("role") {
        refused_with([](json& j) { j.erase("role"); });
        refused_with([](json& j) { j["role"] = "admin"; });
        refused_with([](json& j) { j["role"] = "ROOT"; });
        refused_with([](json& j) { j["role"] = ""; });
        refused_with([](json& j) { j["role"] = 0; });
        refused_with([](json& j) { j["role"] = json::array({"ADMIN"}); });
    }
    SUBCASE("iat and exp") {
        refused_with([](json& j) { j.erase("exp"); });
        refused_with([](json& j) { j.erase("iat"); });
        refused_with([](json& j) { j["exp"] = static_cast<double>(t0 + 900) + 0.5; });
        refused_with([](json& j) { j["exp"] = std::to_string(t0 + 900); });
        refused_with([](json& j) { j["exp"] = nullptr; });
        refused_with([](json& j) { j["exp"] = true; });
        refused_with([](json& j) { j["iat"] = 1.5; });
        refused_with([](json& j) { j["iat"] = "now"; });
    }
    SUBCASE("payload shape") {
        check_refused(c, hand_token(hs256_header, "[]"));
        check_refused(c, hand_token(hs256_header, "null"));
        check_refused(c, hand_token(hs256_header, "{"));
        check_refused(c, hand_token(hs256_header, good_claims().dump() + "x"));
        // A repeated claim: which one wins would depend on the parser.
        std::string twice = good_claims().dump();
        twice.insert(1, R"("role":"ADMIN",)");
        check_refused(c, hand_token(hs256_header, twice));
    }
    // A float that happens to be whole is still not an integer in JSON's sense here.
    std::string whole = good_claims().dump();
    auto pos = whole.find(std::to_string(t0 + 900));
    REQUIRE(pos != std::string::npos);
    whole.insert(pos + std::to_string(t0 + 900).size(), ".0");
    check_refused(c, hand_token(hs256_header, whole));
}

TEST_CASE("jwt: a short secret is refused") {
    for (std::size_t n : {0U, 1U, 16U, 31U}) {
        CAPTURE(n);
        try {
            (void)codec(JwtAlgorithm::hs256, std::nullopt, 5s, std::string(n, 'k'));
            FAIL("no exception");
        } catch (const crm::Error& e) {
            CHECK(e.code() == crm::Errc::invalid);
            REQUIRE(e.field_errors().size() == 1);
            CHECK(e.field_errors()[0].field == "jwtSecret");
            CHECK(e.field_errors()[0].message == "must be at least 32 bytes");
            CHECK(std::string(e.what()).find(std::string(n, 'k') + "k") == std::string::npos);
        }
    }
    CHECK_NOTHROW((void)codec(JwtAlgorithm::hs256, std::nullopt, 5s, std::string(32, 'k')));
    // Arbitrary bytes, NUL included, make a key.
    std::string binary(64, '\0');
    binary[5] = '\x7f';
    auto b = codec(JwtAlgorithm::hs512, std::nullopt, 5s, binary);
    CHECK(b.verify(b.sign(subject, Role::sales, at(t0), 60s), at(t0)).subject == subject);
    check_refused(codec(JwtAlgorithm::hs512, std::nullopt, 5s, std::string(64, '\0')),
                  b.sign(subject, Role::sales, at(t0), 60s));
}

TEST_CASE("jwt: one codec is used from many threads") {
    auto c = codec();
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                Role r = (i + t) % 2 ? Role::sales : Role::admin;
                std::string token = c.sign(subject, r, at(t0 + i), 60s);
                try {
                    if (c.verify(token, at(t0 + i)).role == r) ++ok;
                    (void)c.verify(token + "A", at(t0));
                } catch (const crm::Error&) {
                }
            }
        });
    for (auto& th : threads) th.join();
    CHECK(ok.load() == 800);
}

TEST_CASE("jwt: refresh secrets are 32 random bytes in base64url") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        std::string s = crm::detail::new_refresh_secret();
        REQUIRE(s.size() == 43);
        for (char ch : s) {
            bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                      ch == '_';
            CHECK(ok);
        }
        CHECK(unb64url(s).size() == 32);
        seen.insert(s);
    }
    CHECK(seen.size() == 200);
}

TEST_CASE("jwt: refresh secret hashes are BLAKE2b-256 in lowercase hex") {
    using crm::detail::hash_refresh_secret;
    std::string s = crm::detail::new_refresh_secret();
    std::string h = hash_refresh_secret(s);
    CHECK(h.size() == 64);
    CHECK(h.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(hash_refresh_secret(s) == h);
    CHECK(hash_refresh_secret(s + "x") != h);
    CHECK(h.find(s) == std::string::npos);
    // Known answer: BLAKE2b-256 of the empty string.
    CHECK(hash_refresh_secret("") == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}
