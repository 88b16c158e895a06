// crm::Service: users.
#include "service_impl.hpp"

namespace crm {
inline namespace v1 {

using namespace detail;

namespace {

const Error user_not_found{Errc::not_found, "user not found"};

// The last ADMIN must stay: deleting or demoting them would lock everyone out of administration.
void require_another_admin(Lease& lease) {
    if (user_store::count_admins_locked(lease) <= 1)
        throw Error(Errc::conflict, "the last ADMIN cannot be deleted or demoted");
}

}  // namespace

Service::Impl::PreparedUser Service::Impl::prepare_user(const NewUser& input) const {
    FieldErrors errors;
    check(input, errors);
    errors.throw_if_any();
    std::string email = normalize_email(input.email);
    std::string name = input.name ? *input.name : default_name(email);
    Timestamp at = now();
    return {User{Uuid::generate(), name, email, input.role, at, at}, hasher.hash(input.password)};
}

Page<User> Service::list_users(const Principal& principal, const PageRequest& page) {
    const Principal actor = impl_->current(principal);
    require(actor, Action::list_users, false);
    FieldErrors errors;
    const CursorContext context("users");
    ListWindow window(page, checked_window(impl_->cursors, context, page, errors));
    return make_page(with_lease(impl_->pool(), [&](Lease& lease) { return user_store::list(lease, window); }), page,
                     impl_->cursors, context, [](const User& u) { return user_store::position_of(u); });
}

User Service::get_user(const Principal& principal, const Uuid& id) {
    const Principal actor = impl_->current(principal);
    require(actor, Action::read_user, is_own(actor, id));
    auto user = with_lease(impl_->pool(), [&](Lease& lease) { return user_store::find(lease, id); });
    if (!user) throw user_not_found;
    return *user;
}

User Service::get_user_by_email(const Principal& principal, std::string_view email) {
    const Principal actor = impl_->current(principal);
    std::string normalized = normalize_email(email);
    auto found = with_lease(impl_->pool(), [&](Lease& lease) { return user_store::find_by_email(lease, normalized); });
    // Ask the policy about the found user; an absent one is not_found only for those who may
    // read others (SALES learn nothing about which emails exist).
    require(actor, Action::read_user, found && is_own(actor, found->user.id));
    if (!found) throw user_not_found;
    return found->user;
}

User Service::create_user(const Principal& principal, const NewUser& input) {
    const Principal actor = impl_->current(principal);
    require(actor, Action::create_user, false);
    auto prepared = impl_->prepare_user(input);
    in_transaction(impl_->pool(), Mode::write,
                   [&](Lease& lease) { user_store::insert(lease, prepared.user, prepared.password_hash); });
    return prepared.user;
}

User Service::update_user(const Principal& principal, const Uuid& id, const UserUpdate& update) {
    const Principal actor = impl_->current(principal);
    const bool self = is_own(actor, id);
    require(actor, Action::update_user, self);

    UserChanges changes{update.name, std::nullopt, update.role};
    if (update.email) changes.email = normalize_email(*update.email);
    FieldErrors errors;
    check(update, errors);
    // Users changing their own password prove they know the current one.
    if (update.password && self && !update.current_password) errors.add("currentPassword", "is required");
    errors.throw_if_any();
    // Refuse an evident role change before any hashing; it is decided again inside the transaction.
    if (update.role && (!self || *update.role != actor.role())) require(actor, Action::change_role, self);

    // The slow steps (Argon2id) run before the transaction, so that it holds no lock while hashing.
    // Every decision that depends on the row is taken inside it, against the row locked there:
    // deciding against a row read earlier let a concurrent demotion be undone.
    std::optional<std::string> verified_hash, new_hash;
    if (update.password) {
        if (self) {
            auto current = with_lease(impl_->pool(), [&](Lease& lease) { return user_store::find_credentials(lease, id); });
            if (!current) throw user_not_found;
            if (!impl_->hasher.verify(current->password_hash, *update.current_password))
                throw Error(Errc::unauthorized, "currentPassword is wrong");
            verified_hash = current->password_hash;
        }
        new_hash = impl_->hasher.hash(*update.password);
    }

    return in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) {
        auto locked = user_store::find_credentials_for_update(lease, id);
        if (!locked) throw user_not_found;
        // The current password was proven against this hash; a password changed meanwhile voids it.
        if (verified_hash && locked->password_hash != *verified_hash)
            throw Error(Errc::conflict, "the password was changed meanwhile: try again");
        // Users acting on themselves act with the role their locked row has now.
        const Principal me = self ? Principal{id, locked->user.role, false} : actor;
        UserChanges effective = changes;
        if (effective.role && *effective.role == locked->user.role) effective.role.reset();  // sending one's role is no change
        if (effective.role) {
            require(me, Action::change_role, self);
            if (locked->user.role == Role::admin) require_another_admin(lease);
        }
        // The changes merge into the row locked above; the store writes it without reading again.
        User after = user_store::update(lease, apply(locked->user, effective, now()), new_hash).value();
        // A new password ends every session that the old one started.
        if (new_hash) refresh_token_store::revoke_all_for_user(lease, id, now());
        return after;
    });
}

void Service::delete_user(const Principal& principal, const Uuid& id) {
    const Principal actor = impl_->current(principal);
    require(actor, Action::delete_user, is_own(actor, id));
    in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) {
        auto user = user_store::find(lease, id);
        if (!user) throw user_not_found;
        if (user->role == Role::admin) require_another_admin(lease);
        user_store::remove(lease, id);  // leads and activities keep existing, tokens go (schema cascades)
    });
}

}  // namespace v1
}  // namespace crm
