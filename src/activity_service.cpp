// crm::Service: activities. An activity is in scope exactly when its lead is.
#include "service_impl.hpp"

namespace crm {
inline namespace v1 {

using namespace detail;

namespace {

const Error activity_not_found{Errc::not_found, "activity not found"};

// The activity if it exists and its lead is in `actor`'s scope for `action`.
Activity activity_in_scope(Lease& lease, const Principal& actor, const Uuid& id, Action action, bool for_update) {
    auto activity = activity_store::find(lease, id, for_update);
    if (!activity) throw activity_not_found;
    try {
        lead_in_scope(lease, actor, activity->lead_id, action);
    } catch (const Error& e) {
        if (e.code() == Errc::not_found) throw activity_not_found;
        throw;
    }
    return *activity;
}

}  // namespace

Page<Activity> Service::list_activities(const Principal& principal, const Uuid& lead_id, const PageRequest& page) {
    const Principal actor = impl_->current(principal);
    FieldErrors errors;
    // Bound to the lead: its scope is checked on every call, so the lead id is all it needs.
    CursorContext context("activities of lead");
    context.add(lead_id.to_string());
    ListWindow window(page, checked_window(impl_->cursors, context, page, errors));
    auto slice = with_lease(impl_->pool(), [&](Lease& lease) {
        lead_in_scope(lease, actor, lead_id, Action::read_lead);
        return activity_store::list_for_lead(lease, lead_id, window);
    });
    return make_page(std::move(slice), page, impl_->cursors, context,
                     [](const Activity& a) { return activity_store::position_of(a); });
}

Activity Service::get_activity(const Principal& principal, const Uuid& id) {
    const Principal actor = impl_->current(principal);
    return with_lease(impl_->pool(),
                      [&](Lease& lease) { return activity_in_scope(lease, actor, id, Action::read_lead, false); });
}

Activity Service::create_activity(const Principal& principal, const NewActivity& input) {
    const Principal actor = impl_->current(principal);
    FieldErrors errors;
    check(input, errors);
    errors.throw_if_any();
    return in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) {
        // Lock the lead so that it cannot be deleted between the check and the insert.
        lead_in_scope(lease, actor, input.lead_id, Action::create_activity, true);
        Timestamp at = now();
        // createdBy is always the caller; the system principal is nobody.
        std::optional<Uuid> author = actor.is_system() ? std::nullopt : std::optional(actor.user_id());
        return activity_store::insert(lease, Activity{Uuid::generate(), input.lead_id, input.type, input.body, author, at, at});
    });
}

Activity Service::update_activity(const Principal& principal, const Uuid& id, const ActivityUpdate& update) {
    const Principal actor = impl_->current(principal);
    FieldErrors errors;
    check(update, errors);
    errors.throw_if_any();
    return in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) {
        Activity current = activity_in_scope(lease, actor, id, Action::update_activity, true);
        if (update.lead_id && *update.lead_id != current.lead_id)
            throw Error::invalid_field("leadId", "cannot be changed");
        return activity_store::update(lease, apply(current, ActivityChanges{update.type, update.body}, now())).value();
    });
}

void Service::delete_activity(const Principal& principal, const Uuid& id) {
    const Principal actor = impl_->current(principal);
    in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) {
        activity_in_scope(lease, actor, id, Action::delete_activity, true);
        activity_store::remove(lease, id);
    });
}

}  // namespace v1
}  // namespace crm
