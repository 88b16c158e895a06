// Partial updates merged into rows (src/changes.hpp), and the "updatedAt" rule.
#include "changes.hpp"

#include <doctest/doctest.h>

using namespace crm;
using namespace crm::detail;
using namespace std::chrono_literals;

TEST_CASE("changes: updatedAt is now, but always after the previous value") {
    const Timestamp t = now();
    CHECK(next_updated_at(t - 5s, t) == t);
    CHECK(next_updated_at(t, t) == t + 1ms);          // two changes within one millisecond
    CHECK(next_updated_at(t + 5s, t) == t + 5s + 1ms);  // the clock stepped back
}

TEST_CASE("changes: apply sets the given fields only and advances updatedAt") {
    const Timestamp at = now();
    const Lead lead{Uuid::generate(), "title", "description", LeadStatus::new_, "web", Uuid::generate(), R"({"a":1})", at, at};
    LeadChanges changes;
    changes.status = LeadStatus::closed;
    changes.source = std::optional<std::string>{};   // to null
    changes.owner_id = std::optional<Uuid>{};        // unowned
    Lead merged = apply(lead, changes, at);
    Lead expected = lead;
    expected.status = LeadStatus::closed;
    expected.source.reset();
    expected.owner_id.reset();
    expected.updated_at = at + 1ms;
    CHECK(merged == expected);

    const User user{Uuid::generate(), "name", "a@example.com", Role::sales, at, at};
    User renamed = apply(user, UserChanges{std::string("other"), std::nullopt, std::nullopt}, at + 1s);
    CHECK(renamed.name == "other");
    CHECK(renamed.email == user.email);
    CHECK(renamed.role == user.role);
    CHECK(renamed.updated_at == at + 1s);

    const Activity activity{Uuid::generate(), Uuid::generate(), ActivityType::call, "body", std::nullopt, at, at};
    Activity cleared = apply(activity, ActivityChanges{std::nullopt, std::optional<std::string>{}}, at);
    CHECK(cleared.type == ActivityType::call);
    CHECK_FALSE(cleared.body);
    CHECK(cleared.lead_id == activity.lead_id);
    CHECK(cleared.created_at == at);
    CHECK(cleared.updated_at == at + 1ms);
}
