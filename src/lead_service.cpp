// crm::Service: leads.
#include "service_impl.hpp"

namespace crm {

namespace detail {

Lead lead_in_scope(Lease& lease, const Principal& actor, const Uuid& id, Action action, bool for_update) {
    auto lead = lead_store::find(lease, id, for_update);
    if (!lead) throw Error(Errc::not_found, "lead not found");
    require(actor, action, is_own(actor, lead->owner_id));
    return *lead;
}

}  // namespace detail

inline namespace v1 {

using namespace detail;

namespace {

// Giving a lead to anyone but oneself (or to no one) is an assignment; keeping it is not.
void require_may_assign(const Principal& actor, const std::optional<Uuid>& owner) {
    if (!is_own(actor, owner)) require(actor, Action::assign_lead, false);
}

void validate_lead_fields(Validator& v, const Change<std::string>& title,
                          const Change<std::optional<std::string>>& description,
                          const Change<std::optional<std::string>>& source,
                          const Change<std::optional<std::string>>& metadata) {
    if (title) v.required_text("title", *title, max_name_length);
    if (description && *description) v.text("description", **description);
    if (source && *source) v.text("source", **source, max_name_length);
    if (metadata && *metadata) v.json_object("metadata", **metadata);
}

}  // namespace

Page<Lead> Service::list_leads(const Principal& actor, const LeadFilter& filter, const LeadSort& sort,
                               const PageRequest& page) {
    Validator v;
    v.page(page);
    if (filter.source) v.text("source", *filter.source);
    if (filter.q) v.text("q", *filter.q);
    v.throw_if_invalid();
    LeadFilter scoped = filter;
    if (reach(actor, Action::read_lead) != Reach::any) {
        // Own scope: the owner filter becomes the caller; asking for another owner finds nothing.
        if (reach(actor, Action::read_lead) == Reach::none ||
            (filter.owner_id && !is_own(actor, *filter.owner_id)))
            return Page<Lead>{{}, page.page, page.limit, 0};
        scoped.owner_id = std::optional<Uuid>(actor.user_id());
    }
    return with_lease(impl_->pool(), [&](Lease& lease) { return lead_store::list(lease, scoped, sort, page); });
}

Lead Service::get_lead(const Principal& actor, const Uuid& id) {
    return with_lease(impl_->pool(), [&](Lease& lease) { return lead_in_scope(lease, actor, id, Action::read_lead); });
}

Lead Service::create_lead(const Principal& actor, const NewLead& input) {
    require(actor, Action::create_lead, true);
    // No ownerId: the caller owns it (the system principal owns nothing, so its leads are unowned).
    std::optional<Uuid> owner = input.owner_id ? *input.owner_id
                                               : (actor.is_system() ? std::nullopt : std::optional(actor.user_id()));
    require_may_assign(actor, owner);
    Validator v;
    validate_lead_fields(v, input.title, input.description, input.source, input.metadata);
    v.throw_if_invalid();
    Timestamp at = now();
    Lead lead{Uuid::generate(), input.title, input.description, input.status.value_or(LeadStatus::new_),
              input.source,     owner,       input.metadata,    at,
              at};
    return in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) { return lead_store::insert(lease, lead); });
}

Lead Service::update_lead(const Principal& actor, const Uuid& id, const LeadChanges& changes) {
    Validator v;
    validate_lead_fields(v, changes.title, changes.description, changes.source, changes.metadata);
    v.throw_if_invalid();
    return in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) {
        Lead current = lead_in_scope(lease, actor, id, Action::update_lead, true);
        if (changes.owner_id && *changes.owner_id != current.owner_id) require_may_assign(actor, *changes.owner_id);
        return *lead_store::update(lease, id, changes, now());
    });
}

void Service::delete_lead(const Principal& actor, const Uuid& id) {
    in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) {
        lead_in_scope(lease, actor, id, Action::delete_lead, true);
        lead_store::remove(lease, id);  // its activities go with it (schema cascade)
    });
}

}  // namespace v1
}  // namespace crm
