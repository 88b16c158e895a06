// Keyset cursors: encoding, the MAC, and refusing what we did not make.
#include "cursor.hpp"

#include <crm/error.hpp>

#include <sodium.h>

#include <vector>

namespace crm::detail {

namespace {

constexpr unsigned char format_version = 1;
constexpr std::size_t mac_bytes = 16;           // 128-bit tag: forging one is out of reach
constexpr std::size_t max_token_length = 2048;  // ours are far shorter (a 255-character title at most)

const Error bad_cursor = Error::invalid_field("cursor", "is not a cursor of this list, sort and filter");

void put_string(std::string& out, std::string_view s) {
    auto n = static_cast<std::uint32_t>(s.size());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xFF));
    out.append(s);
}

// Reads a put_string field; false when the bytes run out.
bool get_string(std::string_view& in, std::string& out) {
    if (in.size() < 4) return false;
    std::uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
    in.remove_prefix(4);
    if (in.size() < n) return false;
    out.assign(in.substr(0, n));
    in.remove_prefix(n);
    return true;
}

std::array<unsigned char, mac_bytes> mac(const std::array<unsigned char, 32>& key, const std::string& context,
                                         std::string_view payload) {
    std::array<unsigned char, mac_bytes> tag{};
    crypto_generichash_state state;
    crypto_generichash_init(&state, key.data(), key.size(), tag.size());
    // The context is length-prefixed, so context and payload cannot trade bytes.
    std::string prefix;
    put_string(prefix, context);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(prefix.data()), prefix.size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
    crypto_generichash_final(&state, tag.data(), tag.size());
    return tag;
}

}  // namespace

CursorContext& CursorContext::add(std::string_view field) {
    put_string(bytes_, field);
    return *this;
}

CursorCodec::CursorCodec(std::string_view secret) {
    if (sodium_init() < 0) throw Error(Errc::internal, "libsodium failed to initialise");
    // No secret (a Service that issues no tokens): a random key, so cursors stay unforgeable and
    // are valid only within this Service.
    std::array<unsigned char, 32> random_secret{};
    if (secret.empty()) {
        randombytes_buf(random_secret.data(), random_secret.size());
        secret = std::string_view(reinterpret_cast<const char*>(random_secret.data()), random_secret.size());
    }
    // A key of its own for cursors (domain-separated from the JWT key), whatever the secret's length.
    static constexpr std::string_view label = "libcrm list cursor key v1";
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, key_.size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(label.data()), label.size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
    crypto_generichash_final(&state, key_.data(), key_.size());
    sodium_memzero(random_secret.data(), random_secret.size());
}

std::string CursorCodec::encode(const CursorContext& context, const Keyset& position) const {
    std::string payload(1, static_cast<char>(format_version));
    put_string(payload, position.key);
    put_string(payload, position.id);
    auto tag = mac(key_, context.bytes(), payload);
    payload.append(reinterpret_cast<const char*>(tag.data()), tag.size());
    std::string text(sodium_base64_ENCODED_LEN(payload.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    text.resize(text.find('\0'));
    return text;
}

Keyset CursorCodec::decode(const CursorContext& context, std::string_view token) const {
    if (token.empty() || token.size() > max_token_length) throw bad_cursor;
    std::vector<unsigned char> raw(token.size());
    std::size_t length = 0;
    const char* end = nullptr;
    if (sodium_base642bin(raw.data(), raw.size(), token.data(), token.size(), nullptr, &length, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        end != token.data() + token.size() || length < 1 + mac_bytes)
        throw bad_cursor;
    std::string_view payload(reinterpret_cast<const char*>(raw.data()), length - mac_bytes);
    auto expected = mac(key_, context.bytes(), payload);
    if (sodium_memcmp(expected.data(), raw.data() + payload.size(), mac_bytes) != 0) throw bad_cursor;
    if (static_cast<unsigned char>(payload[0]) != format_version) throw bad_cursor;
    payload.remove_prefix(1);
    Keyset position;
    if (!get_string(payload, position.key) || !get_string(payload, position.id) || !payload.empty()) throw bad_cursor;
    return position;
}

}  // namespace crm::detail
