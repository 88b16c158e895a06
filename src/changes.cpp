// Partial updates merged into rows, and the "updatedAt" rule.
#include "changes.hpp"

#include <algorithm>

namespace crm::detail {

namespace {

// Sets `field` when the change is given; nullopt leaves it as it is.
template <class T, class C>
void merge(T& field, const Change<C>& change) {
    if (change) field = *change;
}

}  // namespace

Timestamp next_updated_at(Timestamp previous, Timestamp now) noexcept {
    return std::max(now, previous + std::chrono::milliseconds(1));
}

User apply(User row, const UserChanges& changes, Timestamp now) {
    merge(row.name, changes.name);
    merge(row.email, changes.email);
    merge(row.role, changes.role);
    row.updated_at = next_updated_at(row.updated_at, now);
    return row;
}

Lead apply(Lead row, const LeadChanges& changes, Timestamp now) {
    merge(row.title, changes.title);
    merge(row.description, changes.description);
    merge(row.status, changes.status);
    merge(row.source, changes.source);
    merge(row.owner_id, changes.owner_id);
    merge(row.metadata, changes.metadata);
    row.updated_at = next_updated_at(row.updated_at, now);
    return row;
}

Activity apply(Activity row, const ActivityChanges& changes, Timestamp now) {
    merge(row.type, changes.type);
    merge(row.body, changes.body);
    row.updated_at = next_updated_at(row.updated_at, now);
    return row;
}

}  // namespace crm::detail
