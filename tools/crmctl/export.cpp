// crmctl export-leads: every lead, oldest first, streamed as CSV or JSON lines.
#include "commands.hpp"
#include "csv.hpp"

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace crmctl {

namespace {

using nlohmann::ordered_json;

ordered_json lead_json(const crm::Lead& l) {
    auto nullable = [](const std::optional<std::string>& v) { return v ? ordered_json(*v) : ordered_json(nullptr); };
    return {{"id", l.id.to_string()},
            {"title", l.title},
            {"description", nullable(l.description)},
            {"status", crm::to_string(l.status)},
            {"source", nullable(l.source)},
            {"ownerId", l.owner_id ? ordered_json(l.owner_id->to_string()) : ordered_json(nullptr)},
            {"metadata", l.metadata ? ordered_json::parse(*l.metadata) : ordered_json(nullptr)},
            {"createdAt", crm::format_timestamp(l.created_at)},
            {"updatedAt", crm::format_timestamp(l.updated_at)}};
}

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

// An output file that appears under its name only once complete: a failed export must not leave
// a truncated file that would import without complaint.
class AtomicFile {
public:
    explicit AtomicFile(std::string path) : path_(std::move(path)) {
        std::filesystem::path target(path_);
        if (std::filesystem::is_directory(target)) throw UsageError(path_ + " is a directory");
        std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
        std::string pattern = dir + "/." + target.filename().string() + ".XXXXXX";
        int fd = ::mkstemp(pattern.data());
        if (fd < 0) throw UsageError("cannot write " + path_ + ": " + std::strerror(errno));
        temp_ = pattern;
        // Leads are customer data: a new export stays readable by its owner only (mkstemp's
        // 0600); a file it replaces keeps the mode its owner gave it.
        struct stat existing {};
        if (::stat(path_.c_str(), &existing) == 0) ::fchmod(fd, existing.st_mode & 07777);
        ::close(fd);
        out_.open(temp_, std::ios::binary | std::ios::trunc);
        if (!out_) throw UsageError("cannot write " + path_ + ": " + std::strerror(errno));
    }
    ~AtomicFile() {
        if (!committed_) std::remove(temp_.c_str());
    }
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    std::ostream& stream() { return out_; }
    void commit() {
        out_.close();
        if (!out_) throw std::runtime_error("writing " + path_ + " failed: " + std::strerror(errno));
        if (std::rename(temp_.c_str(), path_.c_str()) != 0)
            throw std::runtime_error("cannot rename the export to " + path_ + ": " + std::strerror(errno));
        committed_ = true;
    }

private:
    std::string path_, temp_;
    std::ofstream out_;
    bool committed_ = false;
};

}  // namespace

int export_leads(Context& c, const Options& o) {
    std::string format = o.get("format", "csv");
    if (format != "csv" && format != "jsonl") throw UsageError("--format must be csv or jsonl");
    std::string output = o.get("output", "-");
    if (output.empty()) throw UsageError("--output needs a file name (- for standard output)");
    std::optional<AtomicFile> file;
    if (output != "-") file.emplace(output);
    std::ostream& out = file ? file->stream() : std::cout;

    if (format == "csv") out << csv_header;
    std::uint64_t count = 0;
    c.service.for_each_lead(c.system, {}, [&](const crm::Lead& l) {
        if (format == "jsonl")
            out << lead_json(l).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        else
            write_csv_lead(out, l, o.has("raw"));
        if (!out) throw std::runtime_error("writing " + output + " failed: " + std::strerror(errno));
        ++count;
    });
    if (file) {
        file->commit();
        std::fprintf(stderr, "exported %llu leads to %s\n", static_cast<unsigned long long>(count), output.c_str());
    } else {
        out.flush();
        if (!out) throw std::runtime_error("writing the export failed: " + std::string(std::strerror(errno)));
    }
    return ok;
}

}  // namespace crmctl
