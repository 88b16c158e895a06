// crm::Service: refresh tokens: issued with an access token, rotated by refresh() (a spent token
// presented again revokes the whole family), revoked by logout(). Stored by refresh_token_store.
#include "service_impl.hpp"

namespace crm {
inline namespace v1 {

using namespace detail;

namespace {

const Error bad_refresh_token{Errc::unauthorized, "invalid refresh token"};

// Refresh tokens we issue are 43 characters; anything far longer is not worth hashing.
constexpr std::size_t max_refresh_token_length = 256;

}  // namespace

Service::Impl::Issued Service::Impl::issue_tokens(Lease& lease, const User& user, Timestamp at) {
    Issued issued{{token_codec().sign(user.id, user.role, at, options.access_token_ttl), new_refresh_secret()},
                  Uuid::generate()};
    refresh_token_store::insert(lease, RefreshToken{issued.refresh_token_id, user.id,
                                                    hash_refresh_secret(issued.tokens.refresh_token),
                                                    at + options.refresh_token_ttl, std::nullopt, std::nullopt, at, at});
    return issued;
}

Tokens Service::refresh(std::string_view refresh_token) {
    (void)impl_->token_codec();
    if (refresh_token.empty() || refresh_token.size() > max_refresh_token_length) throw bad_refresh_token;
    std::string hash = hash_refresh_secret(refresh_token);
    // A spent token presented again means it was stolen (or replayed): revoke the whole family,
    // commit that, and only then refuse.
    struct Outcome {
        std::optional<Tokens> tokens;
        bool reuse_detected = false;
    };
    auto outcome = in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) {
        Timestamp at = now();
        auto stored = refresh_token_store::find_by_hash_for_update(lease, hash);
        if (!stored) return Outcome{};
        if (stored->revoked_at) {
            if (!stored->replaced_by) return Outcome{};  // logged out or revoked: just refuse
            refresh_token_store::revoke_all_for_user(lease, stored->user_id, at);
            return Outcome{std::nullopt, true};
        }
        if (stored->expires_at <= at) return Outcome{};
        auto user = user_store::find(lease, stored->user_id);
        if (!user) return Outcome{};
        auto issued = impl_->issue_tokens(lease, *user, at);
        if (!refresh_token_store::mark_replaced(lease, stored->id, issued.refresh_token_id, at))
            throw bad_refresh_token;  // a concurrent rotation won: roll back ours
        return Outcome{std::move(issued.tokens), false};
    });
    if (!outcome.tokens) throw bad_refresh_token;
    return *outcome.tokens;
}

void Service::logout(std::string_view refresh_token) {
    if (refresh_token.empty() || refresh_token.size() > max_refresh_token_length) return;
    std::string hash = hash_refresh_secret(refresh_token);
    in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) {
        if (auto stored = refresh_token_store::find_by_hash_for_update(lease, hash))
            refresh_token_store::revoke(lease, stored->id, now());
    });
}

}  // namespace v1
}  // namespace crm
