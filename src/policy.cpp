// The RBAC policy table (the contract's "Roles" section, one row per action).
#include "policy.hpp"

#include <crm/error.hpp>

#include <array>
#include <string>

namespace crm::detail {

namespace {

// How a refusal looks: leads and activities outside the caller's scope must be
// indistinguishable from absent ones.
enum class Refusal { forbidden, not_found };

struct Rule {
    Action action;
    Reach admin, manager, sales;
    Refusal refusal;
    const char* noun;  // for the refusal's message
};

using enum Reach;
constexpr std::array<Rule, 14> policy{{
    //  action                   ADMIN  MANAGER SALES  refused as
    {Action::list_users,         any,   none,   none,  Refusal::forbidden, "user"},
    {Action::read_user,          any,   any,    own,   Refusal::forbidden, "user"},
    {Action::create_user,        any,   none,   none,  Refusal::forbidden, "user"},
    {Action::update_user,        any,   own,    own,   Refusal::forbidden, "user"},
    {Action::change_role,        any,   none,   none,  Refusal::forbidden, "user"},
    {Action::delete_user,        any,   none,   none,  Refusal::forbidden, "user"},
    {Action::read_lead,          any,   any,    own,   Refusal::not_found, "lead"},
    {Action::create_lead,        any,   any,    any,   Refusal::forbidden, "lead"},
    {Action::update_lead,        any,   any,    own,   Refusal::not_found, "lead"},
    {Action::delete_lead,        any,   any,    own,   Refusal::not_found, "lead"},
    {Action::assign_lead,        any,   any,    none,  Refusal::forbidden, "lead"},
    {Action::create_activity,    any,   any,    own,   Refusal::not_found, "lead"},  // the lead is what is looked up
    {Action::update_activity,    any,   any,    own,   Refusal::not_found, "activity"},
    {Action::delete_activity,    any,   any,    own,   Refusal::not_found, "activity"},
}};

const Rule& rule_for(Action action) noexcept {
    for (const auto& rule : policy)
        if (rule.action == action) return rule;
    return policy.front();  // unreachable: every Action has a row (see the policy test)
}

}  // namespace

Reach reach(const Principal& actor, Action action) noexcept {
    if (actor.is_system()) return Reach::any;
    const Rule& rule = rule_for(action);
    switch (actor.role()) {
        case Role::admin: return rule.admin;
        case Role::manager: return rule.manager;
        case Role::sales: return rule.sales;
    }
    return Reach::none;
}

void require(const Principal& actor, Action action, bool own) {
    Reach r = reach(actor, action);
    if (r == Reach::any || (r == Reach::own && own)) return;
    const Rule& rule = rule_for(action);
    if (rule.refusal == Refusal::not_found) throw Error(Errc::not_found, std::string(rule.noun) + " not found");
    throw Error(Errc::forbidden, "your role may not do this");
}

}  // namespace crm::detail
