// Internal: how a row of "Leads" and of "Activities" (their columns in table order, as every
// store that reads or inserts them lists them) binds to a statement, both ways, and becomes a
// model object. One place, for the stores of each table and for dump_store.
#pragma once

#include "store_common.hpp"

#include <optional>
#include <string>

namespace crm::detail {

/// A row of "Leads" as text, the form both engines exchange.
struct LeadRow {
    static constexpr const char* columns =
        R"(id, title, description, status, source, "ownerId", metadata, "createdAt", "updatedAt")";

    std::string id, title, status, created_at, updated_at;
    NullableText description, source, owner_id, metadata;

    LeadRow() = default;
    explicit LeadRow(const Lead& lead) { set(lead); }

    /// The values of `lead`, for writing.
    void set(const Lead& lead) {
        id = lead.id.to_string();
        title = lead.title;
        status = to_string(lead.status);
        created_at = format_timestamp(lead.created_at);
        updated_at = format_timestamp(lead.updated_at);
        description = NullableText(lead.description);
        source = NullableText(lead.source);
        owner_id = NullableText(lead.owner_id);
        metadata = NullableText(lead.metadata);
    }
    /// Calls `column(value)` or `column(value, indicator)` for each member, in `columns` order.
    template <class Column>
    void each(Column&& column) {
        column(id);
        column(title);
        column(description.value, description.ind);
        column(status);
        column(source.value, source.ind);
        column(owner_id.value, owner_id.ind);
        column(metadata.value, metadata.ind);
        column(created_at);
        column(updated_at);
    }
    /// Reading: the columns, in `columns` order, into these members.
    void bind(soci::statement& st) { each(into_column(st)); }
    /// Writing: these members as positional parameters, in `columns` order (an INSERT's VALUES).
    void bind_values(soci::statement& st) { each(use_column(st)); }
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

/// A row of "Activities" as text.
struct ActivityRow {
    static constexpr const char* columns = R"(id, "leadId", type, body, "createdBy", "createdAt", "updatedAt")";

    std::string id, lead_id, type, created_at, updated_at;
    NullableText body, created_by;

    ActivityRow() = default;
    explicit ActivityRow(const Activity& activity) { set(activity); }

    /// The values of `activity`, for writing.
    void set(const Activity& a) {
        id = a.id.to_string();
        lead_id = a.lead_id.to_string();
        type = to_string(a.type);
        body = NullableText(a.body);
        created_by = NullableText(a.created_by);
        created_at = format_timestamp(a.created_at);
        updated_at = format_timestamp(a.updated_at);
    }
    /// Calls `column(value)` or `column(value, indicator)` for each member, in `columns` order.
    template <class Column>
    void each(Column&& column) {
        column(id);
        column(lead_id);
        column(type);
        column(body.value, body.ind);
        column(created_by.value, created_by.ind);
        column(created_at);
        column(updated_at);
    }
    /// Reading: the columns, in `columns` order, into these members.
    void bind(soci::statement& st) { each(into_column(st)); }
    /// Writing: these members as positional parameters, in `columns` order (an INSERT's VALUES).
    void bind_values(soci::statement& st) { each(use_column(st)); }
    [[nodiscard]] Activity activity() const {
        auto parsed_type = parse<ActivityType>(type);
        if (!parsed_type) throw Error(Errc::internal, "malformed activity type in the database");
        return Activity{uuid_from_db(id), uuid_from_db(lead_id),         *parsed_type,
                        body.text(),      created_by.uuid(),             timestamp_from_db(created_at),
                        timestamp_from_db(updated_at)};
    }
};

/// Runs a one-shot INSERT or UPDATE ending in `RETURNING <Row::columns>` and returns the row it
/// wrote as the database stores it (PostgreSQL's jsonb normalises metadata text), in the same
/// round trip; nullopt when it wrote none. `bind_values(statement)` exchanges the parameters.
template <class Row, class BindValues>
std::optional<Row> write_returning(Lease& lease, const std::string& query, BindValues&& bind_values) {
    Row row;
    bool wrote = false;
    for_each_row(
        lease.sql(), query + " RETURNING " + Row::columns,
        [&](soci::statement& st) {
            row.bind(st);
            bind_values(st);
        },
        [&] { wrote = true; });
    return wrote ? std::optional(std::move(row)) : std::nullopt;
}

}  // namespace crm::detail
