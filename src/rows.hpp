// Internal: how a row of "Leads" and of "Activities" (their columns in table order, as every
// store that reads them selects them) binds to a statement and becomes a model object. One place,
// for the stores of each table and for dump_store.
#pragma once

#include "store_common.hpp"

namespace crm::detail {

/// id, title, description, status, source, "ownerId", metadata, "createdAt", "updatedAt"
struct LeadRow {
    std::string id, title, status, created_at, updated_at;
    NullableText description, source, owner_id, metadata;

    void bind(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(title));
        st.exchange(soci::into(description.value, description.ind));
        st.exchange(soci::into(status));
        st.exchange(soci::into(source.value, source.ind));
        st.exchange(soci::into(owner_id.value, owner_id.ind));
        st.exchange(soci::into(metadata.value, metadata.ind));
        st.exchange(soci::into(created_at));
        st.exchange(soci::into(updated_at));
    }
    [[nodiscard]] Lead lead() const {
        auto parsed_status = parse<LeadStatus>(status);
        if (!parsed_status) throw Error(Errc::internal, "malformed status in the database");
        return Lead{uuid_from_db(id),     title,
                    description.text(),   *parsed_status,
                    source.text(),        owner_id.uuid(),
                    metadata.text(),      timestamp_from_db(created_at),
                    timestamp_from_db(updated_at)};
    }
};

/// id, "leadId", type, body, "createdBy", "createdAt", "updatedAt"
struct ActivityRow {
    std::string id, lead_id, type, created_at, updated_at;
    NullableText body, created_by;

    void bind(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(lead_id));
        st.exchange(soci::into(type));
        st.exchange(soci::into(body.value, body.ind));
        st.exchange(soci::into(created_by.value, created_by.ind));
        st.exchange(soci::into(created_at));
        st.exchange(soci::into(updated_at));
    }
    [[nodiscard]] Activity activity() const {
        auto parsed_type = parse<ActivityType>(type);
        if (!parsed_type) throw Error(Errc::internal, "malformed activity type in the database");
        return Activity{uuid_from_db(id), uuid_from_db(lead_id),         *parsed_type,
                        body.text(),      created_by.uuid(),             timestamp_from_db(created_at),
                        timestamp_from_db(updated_at)};
    }
};

}  // namespace crm::detail
