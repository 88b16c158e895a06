// crm::Service: registration, login (password check, throttling, hash upgrade) and access tokens.
// Refresh tokens: refresh_tokens.cpp.
#include "service_impl.hpp"

#include <cstdio>

namespace crm {
inline namespace v1 {

using namespace detail;

namespace {

const Error bad_credentials{Errc::unauthorized, "invalid email or password"};

// The core has no logger: this one line goes to stderr, where the server's and crmctl's own lines
// go. It names the user and the hash's scheme tag, never the hash or the password.
void warn_unverifiable_hash(const Uuid& user, std::string_view hash) {
    std::string line = "libcrm: warning: user " + user.to_string() + " has a password hash of a format libcrm cannot verify (" +
                       PasswordHasher::scheme_of(hash) + "): login refused; set a new password (crmctl reset-password)\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

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

Principal Service::authenticate(std::string_view access_token) {
    AccessClaims claims = impl_->token_codec().verify(access_token, now());
    // The token says who; the current row says whether they still exist and what they may do.
    auto user = with_lease(impl_->pool(), [&](Lease& lease) { return user_store::find(lease, claims.subject); });
    if (!user) throw Error(Errc::unauthorized, "invalid or expired access token");
    return Principal{user->id, user->role, false};
}

User Service::me(const Principal& actor) { return get_user(actor, actor.user_id()); }

}  // namespace v1
}  // namespace crm
