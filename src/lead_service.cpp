// crm::Service: leads.
#include "service_impl.hpp"

#include <algorithm>

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

// `filter` narrowed to what `actor` may read: with own scope the owner becomes the caller, and
// asking for another owner finds nothing (nullopt).
std::optional<LeadFilter> scoped_filter(const Principal& actor, const LeadFilter& filter) {
    Reach r = reach(actor, Action::read_lead);
    if (r == Reach::any) return filter;
    if (r == Reach::none || (filter.owner_id && !is_own(actor, *filter.owner_id))) return std::nullopt;
    LeadFilter scoped = filter;
    scoped.owner_id = std::optional<Uuid>(actor.user_id());
    return scoped;
}

// What a lead list's cursor is bound to: the sort and the filter as scoped for the caller (so a
// MANAGER's cursor is refused for a SALES user, whose filter names them as owner).
CursorContext lead_list_context(const LeadSort& sort, const std::optional<LeadFilter>& scoped) {
    CursorContext c("leads");
    c.add(static_cast<std::int64_t>(sort.key)).add(sort.descending ? "descending" : "ascending");
    if (!scoped) return c.add("out of scope");
    std::vector<std::string> statuses;
    for (auto s : scoped->statuses) statuses.emplace_back(to_string(s));
    std::sort(statuses.begin(), statuses.end());  // a set: the order it was given in is no difference
    statuses.erase(std::unique(statuses.begin(), statuses.end()), statuses.end());
    c.add(static_cast<std::int64_t>(statuses.size()));
    for (auto& s : statuses) c.add(s);
    if (!scoped->owner_id)
        c.add("any owner");
    else
        c.add(*scoped->owner_id ? "owner " + (*scoped->owner_id)->to_string() : std::string("unowned"));
    c.add(scoped->source ? "source " + *scoped->source : std::string("any source"));
    c.add(scoped->q ? "q " + *scoped->q : std::string("no q"));
    return c;
}

}  // namespace

Page<Lead> Service::list_leads(const Principal& principal, const LeadFilter& filter, const LeadSort& sort,
                               const PageRequest& page) {
    const Principal actor = impl_->current(principal);
    FieldErrors errors;
    check(filter, errors);
    auto scoped = scoped_filter(actor, filter);
    CursorContext context = lead_list_context(sort, scoped);
    auto after = checked_window(impl_->cursors, context, page, errors);
    ListWindow window(page, std::move(after));
    if (!scoped) return make_page(ListSlice<Lead>{{}, false, window.count ? std::optional(0LL) : std::nullopt}, page,
                                  impl_->cursors, context, [](const Lead&) { return Keyset{}; });
    return make_page(
        with_lease(impl_->pool(), [&](Lease& lease) { return lead_store::list(lease, *scoped, sort, window); }), page,
        impl_->cursors, context, [&](const Lead& lead) { return lead_store::position_of(lead, sort); });
}

Lead Service::get_lead(const Principal& principal, const Uuid& id) {
    const Principal actor = impl_->current(principal);
    return with_lease(impl_->pool(), [&](Lease& lease) { return lead_in_scope(lease, actor, id, Action::read_lead); });
}

namespace {

// The lead that `actor` creating `input` makes, once the owner rule and validation pass.
Lead new_lead(const Principal& actor, const NewLead& input, Timestamp at) {
    require(actor, Action::create_lead, true);
    // No ownerId: the caller owns it (the system principal owns nothing, so its leads are unowned).
    std::optional<Uuid> owner = input.owner_id ? *input.owner_id
                                               : (actor.is_system() ? std::nullopt : std::optional(actor.user_id()));
    require_may_assign(actor, owner);
    return Lead{Uuid::generate(), input.title, input.description, input.status.value_or(LeadStatus::new_),
                input.source,     owner,       input.metadata,    at,
                at};
}

}  // namespace

Lead Service::create_lead(const Principal& principal, const NewLead& input) {
    const Principal actor = impl_->current(principal);
    Lead lead = new_lead(actor, input, now());
    FieldErrors errors;
    check(input, errors);
    errors.throw_if_any();
    return in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) { return lead_store::insert(lease, lead); });
}

std::vector<Lead> Service::create_leads(const Principal& principal, const std::vector<NewLead>& inputs) {
    const Principal actor = impl_->current(principal);
    std::vector<Lead> leads;
    leads.reserve(inputs.size());
    FieldErrors errors;
    Timestamp at = now();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        leads.push_back(new_lead(actor, inputs[i], at));
        for (auto& e : validate(inputs[i])) errors.add("[" + std::to_string(i) + "]." + e.field, e.message);
    }
    errors.throw_if_any();
    return in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) {
        for (auto& lead : leads) lead = lead_store::insert(lease, lead);
        return leads;
    });
}

void Service::for_each_lead(const Principal& principal, const LeadFilter& filter,
                            const std::function<void(const Lead&)>& visit) {
    const Principal actor = impl_->current(principal);
    auto scoped = scoped_filter(actor, filter);
    if (!scoped) return;
    constexpr long long chunk = 1000;
    std::optional<Lead> last;
    for (;;) {
        auto leads = with_lease(impl_->pool(),
                                [&](Lease& lease) { return lead_store::list_after(lease, *scoped, last, chunk); });
        for (const auto& lead : leads) visit(lead);  // outside the lease: a slow consumer holds no connection
        if (leads.size() < static_cast<std::size_t>(chunk)) return;
        last = leads.back();
    }
}

Lead Service::update_lead(const Principal& principal, const Uuid& id, const LeadChanges& changes) {
    const Principal actor = impl_->current(principal);
    FieldErrors errors;
    check(changes, errors);
    errors.throw_if_any();
    return in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) {
        // The row read (and locked) for the scope check is the one the changes merge into.
        Lead current = lead_in_scope(lease, actor, id, Action::update_lead, true);
        if (changes.owner_id && *changes.owner_id != current.owner_id) require_may_assign(actor, *changes.owner_id);
        return lead_store::update(lease, apply(current, changes, now())).value();
    });
}

void Service::delete_lead(const Principal& principal, const Uuid& id) {
    const Principal actor = impl_->current(principal);
    in_transaction(impl_->pool(), Mode::write, [&](Lease& lease) {
        lead_in_scope(lease, actor, id, Action::delete_lead, true);
        lead_store::remove(lease, id);  // its activities go with it (schema cascade)
    });
}

}  // namespace v1
}  // namespace crm
