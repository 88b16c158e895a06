// PasswordHasher: Argon2id strings, verification, rehash detection, the dummy verify, the bound
// on concurrent hashes. Not database tests.
#include "password.hpp"

#include <crm/error.hpp>

#include <doctest/doctest.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <limits>
#include <string>
#include <thread>
#include <vector>

using crm::detail::PasswordHasher;

namespace {

constexpr std::uint64_t fast_ops = crypto_pwhash_OPSLIMIT_MIN;
constexpr std::size_t fast_mem = crypto_pwhash_MEMLIMIT_MIN;

// The queue holds every thread these tests start: they test the concurrency bound, not refusal.
PasswordHasher fast_hasher(unsigned max_concurrent = 2) { return PasswordHasher(fast_ops, fast_mem, max_concurrent, 64); }

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("password: hash is an Argon2id string of the configured cost") {
    auto hasher = fast_hasher();
    std::string h = hasher.hash("correct horse battery staple");
    CHECK(starts_with(h, "$argon2id$v=19$"));
    // MEMLIMIT_MIN is 8192 bytes = 8 KiB; Argon2id's OPSLIMIT_MIN is 1.
    CHECK(h.find("$m=8,t=1,p=1$") != std::string::npos);
    CHECK(h.size() < crypto_pwhash_STRBYTES);
    CHECK(h.find("correct horse") == std::string::npos);
    // A fresh salt every time.
    CHECK(hasher.hash("correct horse battery staple") != h);
}

TEST_CASE("password: verify accepts the right password and refuses others") {
    auto hasher = fast_hasher();
    std::string h = hasher.hash("s3cret!");
    CHECK(hasher.verify(h, "s3cret!"));
    CHECK_FALSE(hasher.verify(h, "s3cret"));
    CHECK_FALSE(hasher.verify(h, "s3cret!!"));
    CHECK_FALSE(hasher.verify(h, ""));
    CHECK_FALSE(hasher.verify(h, std::string_view("s3cret!\0", 8)));

    std::string empty = hasher.hash("");
    CHECK(hasher.verify(empty, ""));
    CHECK_FALSE(hasher.verify(empty, "x"));

    // Arbitrary bytes, including NUL, are part of the password.
    std::string binary("a\0b\xff", 4);
    std::string hb = hasher.hash(binary);
    CHECK(hasher.verify(hb, binary));
    CHECK_FALSE(hasher.verify(hb, "a"));
}

TEST_CASE("password: verify is false for malformed hashes") {
    auto hasher = fast_hasher();
    std::string h = hasher.hash("pw");
    CHECK_FALSE(hasher.verify("", "pw"));
    CHECK_FALSE(hasher.verify("not a hash", "pw"));
    CHECK_FALSE(hasher.verify("$argon2id$", "pw"));
    CHECK_FALSE(hasher.verify(h.substr(0, h.size() - 1), "pw"));
    CHECK_FALSE(hasher.verify(h + std::string(200, 'A'), "pw"));
    // A NUL would hide the rest from libsodium: refused outright.
    CHECK_FALSE(hasher.verify(h + std::string(1, '\0') + "junk", "pw"));
}

TEST_CASE("password: needs_rehash follows the configured cost and algorithm") {
    auto hasher = fast_hasher();
    std::string h = hasher.hash("pw");
    CHECK_FALSE(hasher.needs_rehash(h));

    PasswordHasher more_ops(fast_ops + 1, fast_mem, 1);
    PasswordHasher more_mem(fast_ops, fast_mem * 2, 1);
    CHECK(more_ops.needs_rehash(h));
    CHECK(more_mem.needs_rehash(h));
    CHECK_FALSE(more_ops.needs_rehash(more_ops.hash("pw")));
    // A hash of another cost still verifies: the upgrade happens after a successful login.
    CHECK(more_ops.verify(h, "pw"));

    CHECK(hasher.needs_rehash(""));
    CHECK(hasher.needs_rehash("garbage"));
    CHECK(hasher.needs_rehash("$argon2id$v=19$m=8,t=1,p=1$"));

    // Argon2i of the same cost: verifies, but is not the configured algorithm.
    std::array<char, crypto_pwhash_STRBYTES> out{};
    REQUIRE(crypto_pwhash_str_alg(out.data(), "pw", 2, crypto_pwhash_argon2i_OPSLIMIT_MIN, fast_mem,
                                  crypto_pwhash_ALG_ARGON2I13) == 0);
    std::string argon2i(out.data());
    REQUIRE(starts_with(argon2i, "$argon2i$"));
    PasswordHasher same_as_argon2i(crypto_pwhash_argon2i_OPSLIMIT_MIN, fast_mem, 1);
    CHECK(same_as_argon2i.verify(argon2i, "pw"));
    CHECK(same_as_argon2i.needs_rehash(argon2i));
}

TEST_CASE("password: zero means libsodium's INTERACTIVE cost and one slot per core") {
    PasswordHasher defaults(0, 0, 0);
    CHECK(defaults.max_concurrent() == std::max(1U, std::thread::hardware_concurrency()));
    std::array<char, crypto_pwhash_STRBYTES> out{};
    REQUIRE(crypto_pwhash_str_alg(out.data(), "pw", 2, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                  crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) == 0);
    CHECK_FALSE(defaults.needs_rehash(out.data()));
    CHECK(defaults.needs_rehash(fast_hasher().hash("pw")));
    CHECK(fast_hasher(5).max_concurrent() == 5);
}

TEST_CASE("password: a cost outside libsodium's limits is refused") {
    try {
        PasswordHasher h(fast_ops, crypto_pwhash_MEMLIMIT_MIN - 1, 1);
        FAIL("no exception");
    } catch (const crm::Error& e) {
        CHECK(e.code() == crm::Errc::invalid);
        REQUIRE(e.field_errors().size() == 1);
        CHECK(e.field_errors()[0].field == "passwordMemlimit");
    }
    if (crypto_pwhash_argon2id_OPSLIMIT_MAX < std::numeric_limits<std::uint64_t>::max()) {
        try {
            PasswordHasher h(std::uint64_t{crypto_pwhash_argon2id_OPSLIMIT_MAX} + 1, fast_mem, 1);
            FAIL("no exception");
        } catch (const crm::Error& e) {
            CHECK(e.code() == crm::Errc::invalid);
            REQUIRE(e.field_errors().size() == 1);
            CHECK(e.field_errors()[0].field == "passwordOpslimit");
        }
    }
}

TEST_CASE("password: runs() counts every hash and verify exactly") {
    auto hasher = fast_hasher();
    CHECK(hasher.runs() == 0);
    std::string h = hasher.hash("pw");
    CHECK(hasher.runs() == 1);
    CHECK(hasher.verify(h, "pw"));
    CHECK_FALSE(hasher.verify(h, "nope"));
    CHECK(hasher.runs() == 3);
    CHECK_FALSE(hasher.needs_rehash(h));  // parses only
    CHECK(hasher.runs() == 3);
    CHECK_FALSE(hasher.verify("", "pw"));  // refused before libsodium
    CHECK(hasher.runs() == 3);
}

TEST_CASE("password: verify_dummy runs the hasher and is always false") {
    auto hasher = fast_hasher();
    CHECK_FALSE(hasher.verify_dummy("anything"));
    CHECK(hasher.runs() == 1);  // building the dummy hash is not counted
    CHECK_FALSE(hasher.verify_dummy(""));
    CHECK_FALSE(hasher.verify_dummy("anything"));
    CHECK(hasher.runs() == 3);
    CHECK(hasher.peak_concurrent() >= 1);
}

TEST_CASE("password: verify_dummy is safe to call first from many threads") {
    auto hasher = fast_hasher(4);
    std::vector<std::thread> threads;
    std::atomic<int> trues{0};
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] {
            if (hasher.verify_dummy("pw")) ++trues;
        });
    for (auto& t : threads) t.join();
    CHECK(trues.load() == 0);
    CHECK(hasher.runs() == 8);
}

TEST_CASE("password: max_concurrent bounds the hashes running at once") {
    for (unsigned bound : {1U, 3U}) {
        CAPTURE(bound);
        auto hasher = fast_hasher(bound);
        const int thread_count = 8;
        const int rounds = 3;
        std::atomic<int> ok{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < thread_count; ++t)
            threads.emplace_back([&, t] {
                for (int r = 0; r < rounds; ++r) {
                    std::string pw = "pw-" + std::to_string(t) + "-" + std::to_string(r);
                    std::string h = hasher.hash(pw);
                    if (hasher.verify(h, pw) && !hasher.verify(h, pw + "x")) ++ok;
                }
            });
        for (auto& th : threads) th.join();
        CHECK(ok.load() == thread_count * rounds);
        CHECK(hasher.runs() == static_cast<std::uint64_t>(thread_count * rounds * 3));
        CHECK(hasher.peak_concurrent() >= 1);
        CHECK(hasher.peak_concurrent() <= bound);
    }
}
