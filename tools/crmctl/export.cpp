// crmctl export-leads: every lead, oldest first, streamed as CSV or JSON lines.
#include "atomic_file.hpp"
#include "commands.hpp"
#include "csv.hpp"
#include "resource_json.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

namespace crmctl {

namespace {

// The columns import-leads reads back (it ignores id, createdAt and updatedAt).
constexpr const char* csv_header = "id,title,description,status,source,ownerId,metadata,createdAt,updatedAt\r\n";

void write_csv_lead(std::ostream& out, const crm::Lead& l, bool raw) {
    // Titles and sources come from every SALES user, and the export is opened by an admin.
    auto cell = [&](std::string_view text) { return raw ? std::string(text) : formula_guarded(text); };
    // null is an empty cell; an empty string is "" (import-leads reads them back apart).
    auto nullable = [&](const std::optional<std::string>& v) {
        std::string text = v ? cell(*v) : std::string();
        write_csv_field(out, text, v && v->empty());
    };
    out << l.id.to_string() << ',';
    write_csv_field(out, cell(l.title), l.title.empty());
    out << ',';
    nullable(l.description);
    out << ',' << crm::to_string(l.status) << ',';
    nullable(l.source);
    out << ',' << (l.owner_id ? l.owner_id->to_string() : "") << ',';
    nullable(l.metadata);
    out << ',' << crm::format_timestamp(l.created_at) << ',' << crm::format_timestamp(l.updated_at) << "\r\n";
}

struct ExportOptions {
    std::string format = "csv";
    std::string output = "-";
    bool raw = false;
};

int export_leads(Context& c, const ExportOptions& o) {
    std::optional<AtomicFile> file;
    if (o.output != "-") file.emplace(o.output);
    std::ostream& out = file ? file->stream() : std::cout;

    if (o.format == "csv") out << csv_header;
    std::uint64_t count = 0;
    c.service.for_each_lead(c.system, {}, [&](const crm::Lead& l) {
        if (o.format == "jsonl")
            out << crm::json::dump(crm::json::to_json(l)) << '\n';  // the HTTP API's shape
        else
            write_csv_lead(out, l, o.raw);
        if (!out) throw OutputError("writing " + o.output + " failed: " + std::strerror(errno));
        ++count;
    });
    if (file) {
        file->commit();
        std::fprintf(stderr, "exported %llu leads to %s\n", static_cast<unsigned long long>(count), o.output.c_str());
    } else {
        out.flush();
        if (!out) throw OutputError("writing the export failed: " + std::string(std::strerror(errno)));
    }
    return ok;
}

constexpr const char* export_help =
    "Writes every lead, oldest first, streamed in bounded memory:\n"
    "  csv    (default) RFC 4180 with CRLF line ends and the header\n"
    "         id,title,description,status,source,ownerId,metadata,createdAt,updatedAt;\n"
    "         null is an empty cell, an empty string \"\". import-leads reads it back.\n"
    "         A text cell that starts with = + - @, a tab or a carriage return gets a leading '\n"
    "         so that a spreadsheet shows it as text instead of running it as a formula\n"
    "         (titles come from every SALES user); --raw writes such cells verbatim.\n"
    "  jsonl  one JSON object per line, as the HTTP API shows a lead: the lossless format.\n"
    "--output FILE writes FILE (- or no --output: standard output); FILE appears only once the\n"
    "export is complete, so a failed export leaves no truncated file behind. A new FILE is\n"
    "readable by its owner only (0600); a replaced one keeps its mode. A FILE that cannot be\n"
    "written (its folder is missing, the disk is full) is a failure: exit 3.\n";

}  // namespace

void add_export_command(CLI::App& crmctl) {
    auto o = std::make_shared<ExportOptions>();
    auto& command = add_command(crmctl, {"export-leads", "export-leads [--format csv|jsonl] [--output FILE] [--raw]",
                                         "writes every lead as CSV or JSON lines", export_help,
                                         [o](Context& c) { return export_leads(c, *o); }});
    command.add_option("--format", o->format, "csv (default) or jsonl")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"csv", "jsonl"}));
    command.add_option("--output", o->output, "the file to write (default -: standard output)")
        ->type_name("FILE")
        ->check(non_empty());
    command.add_flag("--raw", o->raw, "CSV: write cells that look like formulas verbatim");
}

}  // namespace crmctl
