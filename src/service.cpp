// crm::Service: construction and the authentication operations.
#include "service_impl.hpp"

#include <cstdio>

namespace crm {
inline namespace v1 {

using namespace detail;

namespace {

const Error bad_credentials{Errc::unauthorized, "invalid email or password"};
const Error bad_refresh_token{Errc::unauthorized, "invalid refresh token"};

// Refresh tokens we issue are 43 characters; anything far longer is not worth hashing.
constexpr std::size_t max_refresh_token_length = 256;

// The core has no logger: this one line goes to stderr, where the server's and crmctl's own lines
// go. It names the user and the hash's scheme tag, never the hash or the password.
void warn_unverifiable_hash(const Uuid& user, std::string_view hash) {
    std::string line = "libcrm: warning: user " + user.to_string() + " has a password hash of a format libcrm cannot verify (" +
                       PasswordHasher::scheme_of(hash) + "): login refused; set a new password (crmctl reset-password)\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

Service::Impl::Impl(Database database, AuthOptions opts)
    : db(std::move(database)),
      options(std::move(opts)),
      hasher(options.password_opslimit, options.password_memlimit, options.max_concurrent_hashes,
             options.max_queued_hashes),
      throttle(options.login_max_failures, options.login_window) {
    // No secret: a host that never issues tokens (a script, an import) need not invent one.
    if (!options.jwt_secret.empty())
        jwt.emplace(options.jwt_secret, options.jwt_algorithm, options.issuer, options.leeway);
    // Bounded so that issued-at + lifetime and now - leeway can never overflow, and so that a
    // typo (an extra digit, a negative value) is refused instead of issuing tokens that never
    // expire, are born expired, or are accepted forever.
    constexpr std::chrono::seconds max_ttl{10LL * 366 * 24 * 3600};  // ten years
    constexpr std::chrono::seconds max_leeway{300};
    auto check_ttl = [&](const char* field, std::chrono::seconds ttl) {
        if (ttl.count() <= 0 || ttl > max_ttl) throw Error::invalid_field(field, "must be from 1 second to 10 years");
    };
    check_ttl("accessTokenTtl", options.access_token_ttl);
    check_ttl("refreshTokenTtl", options.refresh_token_ttl);
    if (options.leeway.count() < 0 || options.leeway > max_leeway)
        throw Error::invalid_field("leeway", "must be from 0 to 300 seconds");
    if (options.principal_max_age.count() < 0 || options.principal_max_age > std::chrono::hours(1))
        throw Error::invalid_field("principalMaxAge", "must be from 0 to 1 hour");
}

const JwtCodec& Service::Impl::token_codec() const {
    if (!jwt) throw Error::invalid_field("jwtSecret", "is required to issue or verify tokens (none was configured)");
    return *jwt;
}

Service::Impl::Issued Service::Impl::issue_tokens(Lease& lease, const User& user, Timestamp at) {
    Issued issued{{token_codec().sign(user.id, user.role, at, options.access_token_ttl), new_refresh_secret()},
                  Uuid::generate()};
    refresh_token_store::insert(lease, RefreshToken{issued.refresh_token_id, user.id,
                                                    hash_refresh_secret(issued.tokens.refresh_token),
                                                    at + options.refresh_token_ttl, std::nullopt, std::nullopt, at, at});
    return issued;
}

Service::Service(Database db, AuthOptions options) : impl_(std::make_unique<Impl>(std::move(db), std::move(options))) {}
Service::~Service() = default;
Service::Service(Service&&) noexcept = default;
Service& Service::operator=(Service&&) noexcept = default;
Database& Service::database() noexcept { return impl_->db; }

AuthResult Service::register_user(const Registration& r) {
    (void)impl_->token_codec();  // registering logs the user in
    // Registration never chooses a role.
    auto prepared = impl_->prepare_user(NewUser{r.email, r.password, r.name, Role::sales});
    return in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) {
        user_store::insert(lease, prepared.user, prepared.password_hash);
        return AuthResult{prepared.user, impl_->issue_tokens(lease, prepared.user, now()).tokens};
    });
}

void Service::Impl::record_login_failure(const LoginThrottle::Keys& keys) {
    if (!throttle.enabled()) return;
    in_transaction(pool(), Mode::write, [&](Lease& lease) { throttle.record_failure(lease, keys, now()); });
}

AuthResult Service::login(std::string_view email, std::string_view password, std::string_view client_address) {
    (void)impl_->token_codec();
    std::string normalized = normalize_email(email);
    auto keys = LoginThrottle::keys(normalized, client_address);
    auto found = with_lease(impl_->pool(), [&](Lease& lease) {
        // Before the user lookup and any Argon2id: a throttled attempt costs one read, and it is
        // refused alike whether or not the email exists.
        impl_->throttle.check(lease, keys, now());
        return user_store::find_by_email(lease, normalized);
    });
    if (!found || password.size() > 4 * max_password_length) {
        impl_->hasher.verify_dummy(password.substr(0, 4 * max_password_length));  // same cost as a real check
        impl_->record_login_failure(keys);  // unknown emails count exactly like real ones
        throw bad_credentials;
    }
    if (!PasswordHasher::recognizes(found->password_hash)) {
        // Refused like a wrong password, at the same cost; the log line tells the operator why.
        warn_unverifiable_hash(found->user.id, found->password_hash);
        impl_->hasher.verify_dummy(password);
        impl_->record_login_failure(keys);
        throw bad_credentials;
    }
    if (!impl_->hasher.verify(found->password_hash, password)) {
        impl_->record_login_failure(keys);
        throw bad_credentials;
    }
    // A hash made with an older cost, or with bcrypt (users adopted from the Node backend), is
    // replaced by Argon2id now, while we know the password.
    std::optional<std::string> upgraded;
    if (impl_->hasher.needs_rehash(found->password_hash)) {
        try {
            upgraded = impl_->hasher.hash(password);
        } catch (const Error& e) {
            // Hashing is busy: the password was right, so log in now and upgrade another time.
            if (e.code() != Errc::unavailable) throw;
        }
    }
    return in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) {
        std::optional<User> user;
        if (upgraded) {
            // Only over the hash just verified: a password changed meanwhile must not be undone.
            auto current = user_store::find_credentials_for_update(lease, found->user.id);
            if (current && current->password_hash == found->password_hash)
                user = user_store::update(lease, apply(current->user, UserChanges{}, now()), upgraded);
            else if (current)
                user = current->user;
        } else {
            user = user_store::find(lease, found->user.id);
        }
        if (!user) throw bad_credentials;  // deleted meanwhile
        impl_->throttle.clear_email(lease, keys);
        return AuthResult{*user, impl_->issue_tokens(lease, *user, now()).tokens};
    });
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

Principal Service::authenticate(std::string_view access_token) {
    AccessClaims claims = impl_->token_codec().verify(access_token, now());
    // The token says who; the current row says whether they still exist and what they may do.
    auto user = with_lease(impl_->pool(), [&](Lease& lease) { return user_store::find(lease, claims.subject); });
    if (!user) throw Error(Errc::unauthorized, "invalid or expired access token");
    return Principal{user->id, user->role, false};
}

User Service::me(const Principal& actor) { return get_user(actor, actor.user_id()); }

Principal Service::Impl::current(const Principal& principal) const {
    if (principal.is_system() ||
        std::chrono::steady_clock::now() - principal.verified_at_ <= options.principal_max_age)
        return principal;
    auto user = with_lease(pool(), [&](Lease& lease) { return user_store::find(lease, principal.user_id()); });
    if (!user) throw Error(Errc::unauthorized, "the user of this principal no longer exists");
    return Principal{user->id, user->role, false};
}

}  // namespace v1
}  // namespace crm
