#include "commands.hpp"

#include "csv.hpp"

#include <nlohmann/json.hpp>

#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unordered_map>

namespace crmctl {

namespace {

using nlohmann::ordered_json;

std::string optional_text(const std::optional<std::string>& s) { return s.value_or(""); }

ordered_json user_json(const crm::User& u) {
    return {{"id", u.id.to_string()},      {"name", u.name},
            {"email", u.email},           {"role", crm::to_string(u.role)},
            {"createdAt", crm::format_timestamp(u.created_at)}, {"updatedAt", crm::format_timestamp(u.updated_at)}};
}

ordered_json lead_json(const crm::Lead& l) {
    auto nullable = [](const auto& v) { return v ? ordered_json(*v) : ordered_json(nullptr); };
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

crm::Role role_option(const Options& o) {
    auto role = crm::parse<crm::Role>(o.required("role"));
    if (!role) throw UsageError("--role must be ADMIN, MANAGER or SALES");
    return *role;
}

// A password from the terminal (asked twice, not echoed) or, when stdin is not a terminal, its
// first line. Never from the command line, where other users could read it in the process list.
std::string read_password() {
    if (!::isatty(STDIN_FILENO)) {
        std::string line;
        if (!std::getline(std::cin, line)) throw UsageError("no password on standard input");
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
    }
    auto ask = [](const char* prompt) {
        std::fputs(prompt, stderr);
        termios saved{};
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        std::string line;
        std::getline(std::cin, line);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        std::fputs("\n", stderr);
        return line;
    };
    std::string first = ask("Password: ");
    if (ask("Repeat password: ") != first) throw UsageError("the passwords do not match");
    return first;
}

// ---- users ----------------------------------------------------------------------------------

int migrate(Context& c, const Options&) {
    c.service.database().migrate();
    std::cout << "schema version " << c.service.database().schema_version() << "\n";
    return ok;
}

int create_user(Context& c, const Options& o) {
    crm::NewUser user{o.required("email"), "", std::nullopt, role_option(o)};
    if (o.has("name")) user.name = o.required("name");
    user.password = read_password();
    auto created = c.service.create_user(c.system, user);
    std::cout << "created " << crm::to_string(created.role) << " " << created.email << " (" << created.id.to_string()
              << ")\n";
    return ok;
}

int set_role(Context& c, const Options& o) {
    crm::Role role = role_option(o);
    auto user = c.service.get_user_by_email(c.system, o.required("email"));
    crm::UserUpdate update;
    update.role = role;
    auto updated = c.service.update_user(c.system, user.id, update);
    std::cout << updated.email << " is now " << crm::to_string(updated.role) << "\n";
    return ok;
}

int reset_password(Context& c, const Options& o) {
    auto user = c.service.get_user_by_email(c.system, o.required("email"));
    crm::UserUpdate update;
    update.password = read_password();
    (void)c.service.update_user(c.system, user.id, update);  // also ends every session of the user
    std::cout << "password of " << user.email << " reset; their refresh tokens are revoked\n";
    return ok;
}

int list_users(Context& c, const Options& o) {
    std::string format = o.get("format", "table");
    if (format != "table" && format != "jsonl") throw UsageError("--format must be table or jsonl");
    for (std::int64_t page = 1;; ++page) {
        auto users = c.service.list_users(c.system, crm::PageRequest{page, crm::PageRequest::max_limit});
        for (const auto& u : users.items) {
            if (format == "jsonl")
                std::cout << user_json(u).dump() << "\n";
            else
                std::printf("%-36s  %-7s  %-30s  %s\n", u.id.to_string().c_str(), std::string(crm::to_string(u.role)).c_str(),
                            u.email.c_str(), u.name.c_str());
        }
        if (page >= users.total_pages()) break;
    }
    return ok;
}

// ---- import ---------------------------------------------------------------------------------

// Shows progress on stderr, only when stderr is a terminal.
class Progress {
public:
    explicit Progress(std::uint64_t total_bytes) : total_(total_bytes), shown_(::isatty(STDERR_FILENO)) {}

    void update(std::uint64_t bytes, std::uint64_t rows, bool final = false) {
        if (!shown_) return;
        auto now = std::chrono::steady_clock::now();
        if (!final && now - last_ < std::chrono::milliseconds(200)) return;
        last_ = now;
        double seconds = std::chrono::duration<double>(now - start_).count();
        double fraction = total_ ? static_cast<double>(bytes) / static_cast<double>(total_) : 1.0;
        double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0.0;
        double eta = fraction > 0 ? seconds / fraction - seconds : 0.0;
        int filled = static_cast<int>(fraction * 30);
        std::fprintf(stderr, "\r[%-30s] %3d%%  %llu rows  %.0f rows/s  ETA %d:%02d ",
                     std::string(static_cast<std::size_t>(filled), '#').c_str(), static_cast<int>(fraction * 100),
                     static_cast<unsigned long long>(rows), rate, static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
        if (final) std::fputs("\n", stderr);
    }

private:
    std::uint64_t total_;
    bool shown_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

struct Rejected {
    std::uint64_t line;
    std::string reason;
};

std::string describe(const crm::Error& e) {
    if (e.field_errors().empty()) return e.what();
    std::string out;
    for (const auto& f : e.field_errors()) out += (out.empty() ? "" : "; ") + f.field + " " + f.message;
    return out;
}

class Importer {
public:
    Importer(Context& c, std::size_t batch_size) : c_(c), batch_size_(batch_size) {}

    void add(std::uint64_t line, crm::NewLead lead) {
        lines_.push_back(line);
        batch_.push_back(std::move(lead));
        if (batch_.size() >= batch_size_) flush();
    }
    void reject(std::uint64_t line, std::string reason) {
        ++rejected_count_;
        if (rejected_.size() < max_listed) rejected_.push_back({line, std::move(reason)});
    }

    // One transaction per batch. When the database refuses a batch (an owner that does not
    // exist, say), nothing of it is kept; its rows are then tried one by one, so that the good
    // ones are imported and each bad one is reported with its own reason.
    void flush() {
        if (batch_.empty()) return;
        try {
            imported_ += c_.service.create_leads(c_.system, batch_).size();
        } catch (const crm::Error& e) {
            if (e.code() == crm::Errc::unavailable || e.code() == crm::Errc::internal) throw;
            for (std::size_t i = 0; i < batch_.size(); ++i) {
                try {
                    (void)c_.service.create_lead(c_.system, batch_[i]);
                    ++imported_;
                } catch (const crm::Error& row) {
                    if (row.code() == crm::Errc::unavailable || row.code() == crm::Errc::internal) throw;
                    reject(lines_[i], describe(row));
                }
            }
        }
        batch_.clear();
        lines_.clear();
    }

    static constexpr std::size_t max_listed = 10000;
    std::uint64_t imported_ = 0, rejected_count_ = 0;
    std::vector<Rejected> rejected_;

private:
    Context& c_;
    std::size_t batch_size_;
    std::vector<crm::NewLead> batch_;
    std::vector<std::uint64_t> lines_;
};

int import_leads(Context& c, const Options& o) {
    if (o.positional.size() != 1) throw UsageError("import-leads takes one FILE.csv");
    const std::string& path = o.positional[0];
    long batch_size = std::strtol(o.get("batch-size", "1000").c_str(), nullptr, 10);
    if (batch_size < 1 || batch_size > 100000) throw UsageError("--batch-size must be from 1 to 100000");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UsageError("cannot open " + path);
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);

    CsvReader reader(in);
    auto header = reader.next();
    if (!header) throw UsageError(path + " is empty: it needs a header row");
    static const std::vector<std::string> known{"title",  "description", "status",    "source",   "ownerId",
                                                "ownerEmail", "metadata", "id", "createdAt", "updatedAt"};
    std::unordered_map<std::string, std::size_t> column;
    for (std::size_t i = 0; i < header->size(); ++i) {
        const std::string& name = (*header)[i];
        if (std::find(known.begin(), known.end(), name) == known.end())
            throw UsageError("unknown column \"" + name + "\" in the header (columns: title, description, status, "
                             "source, ownerId or ownerEmail, metadata; id, createdAt, updatedAt are ignored)");
        if (!column.emplace(name, i).second) throw UsageError("column \"" + name + "\" appears twice in the header");
    }
    if (!column.count("title")) throw UsageError("the header has no title column");
    if (column.count("ownerId") && column.count("ownerEmail"))
        throw UsageError("give ownerId or ownerEmail, not both");

    std::optional<crm::Uuid> default_owner;
    if (o.has("owner-email")) default_owner = c.service.get_user_by_email(c.system, o.required("owner-email")).id;
    std::unordered_map<std::string, std::optional<crm::Uuid>> owner_by_email;  // resolved once each

    Importer importer(c, static_cast<std::size_t>(batch_size));
    Progress progress(size);
    std::uint64_t rows = 0;
    for (;;) {
        std::optional<std::vector<std::string>> record;
        try {
            record = reader.next();
        } catch (const std::runtime_error& e) {
            importer.reject(reader.record_line(), std::string("malformed CSV: ") + e.what());
            break;  // the rest of the file cannot be framed reliably
        }
        if (!record) break;
        ++rows;
        std::uint64_t line = reader.record_line();
        progress.update(reader.bytes_read(), rows);
        if (record->size() != header->size()) {
            importer.reject(line, "has " + std::to_string(record->size()) + " fields, the header has " +
                                      std::to_string(header->size()));
            continue;
        }
        auto cell = [&](const char* name) -> std::optional<std::string> {
            auto it = column.find(name);
            if (it == column.end() || (*record)[it->second].empty()) return std::nullopt;
            return (*record)[it->second];
        };
        crm::NewLead lead;
        lead.title = cell("title").value_or("");
        lead.description = cell("description");
        lead.source = cell("source");
        lead.metadata = cell("metadata");
        std::vector<std::string> problems;
        if (auto status = cell("status")) {
            if (auto parsed = crm::parse<crm::LeadStatus>(*status))
                lead.status = *parsed;
            else
                problems.push_back("status must be one of NEW, CONTACTED, QUALIFIED, CLOSED");
        }
        lead.owner_id = std::optional<crm::Uuid>(default_owner);
        if (auto owner = cell("ownerId")) {
            if (auto id = crm::Uuid::parse(*owner))
                lead.owner_id = std::optional<crm::Uuid>(*id);
            else
                problems.push_back("ownerId must be a UUID");
        } else if (auto email = cell("ownerEmail")) {
            auto [it, fresh] = owner_by_email.try_emplace(*email);
            if (fresh) {
                try {
                    it->second = c.service.get_user_by_email(c.system, *email).id;
                } catch (const crm::Error& e) {
                    if (e.code() != crm::Errc::not_found) throw;
                }
            }
            if (it->second)
                lead.owner_id = std::optional<crm::Uuid>(it->second);
            else
                problems.push_back("ownerEmail is not a user's email");
        }
        for (const auto& f : crm::validate(lead)) problems.push_back(f.field + " " + f.message);
        if (!problems.empty()) {
            std::string reason;
            for (const auto& p : problems) reason += (reason.empty() ? "" : "; ") + p;
            importer.reject(line, reason);
            continue;
        }
        importer.add(line, std::move(lead));
    }
    importer.flush();
    progress.update(reader.bytes_read(), rows, true);

    std::cout << "imported " << importer.imported_ << " leads, rejected " << importer.rejected_count_ << " rows\n";
    for (const auto& r : importer.rejected_) std::cout << path << ":" << r.line << ": " << r.reason << "\n";
    if (importer.rejected_count_ > importer.rejected_.size())
        std::cout << "(" << importer.rejected_count_ - importer.rejected_.size() << " more rejected rows not listed)\n";
    return importer.rejected_count_ ? rows_rejected : ok;
}

// ---- export ---------------------------------------------------------------------------------

int export_leads(Context& c, const Options& o) {
    std::string format = o.get("format", "csv");
    if (format != "csv" && format != "jsonl") throw UsageError("--format must be csv or jsonl");
    std::ofstream file;
    if (o.has("output")) {
        file.open(o.required("output"), std::ios::binary | std::ios::trunc);
        if (!file) throw UsageError("cannot write " + o.required("output"));
    }
    std::ostream& out = o.has("output") ? static_cast<std::ostream&>(file) : std::cout;
    if (format == "csv")
        write_csv_record(out, {"id", "title", "description", "status", "source", "ownerId", "metadata", "createdAt",
                               "updatedAt"});
    std::uint64_t count = 0;
    c.service.for_each_lead(c.system, {}, [&](const crm::Lead& l) {
        ++count;
        if (format == "jsonl") {
            out << lead_json(l).dump() << '\n';
            return;
        }
        std::string id = l.id.to_string(), owner = l.owner_id ? l.owner_id->to_string() : "";
        std::string created = crm::format_timestamp(l.created_at), updated = crm::format_timestamp(l.updated_at);
        std::string description = optional_text(l.description), source = optional_text(l.source),
                    metadata = optional_text(l.metadata);
        write_csv_record(out, {id, l.title, description, crm::to_string(l.status), source, owner, metadata, created,
                               updated});
    });
    out.flush();
    if (!out) throw std::runtime_error("writing the export failed");
    if (o.has("output")) std::cerr << "exported " << count << " leads to " << o.required("output") << "\n";
    return ok;
}

}  // namespace

std::string Options::required(const std::string& name) const {
    auto it = named.find(name);
    if (it == named.end() || it->second.empty()) throw UsageError("--" + name + " is required");
    return it->second;
}

std::string Options::get(const std::string& name, const std::string& fallback) const {
    auto it = named.find(name);
    return it == named.end() ? fallback : it->second;
}

const std::vector<Command>& commands() {
    static const std::vector<Command> all{
        {"migrate", "migrate", "Creates or upgrades the schema (idempotent).", {}, migrate},
        {"create-user", "create-user --email EMAIL --role ADMIN|MANAGER|SALES [--name NAME]",
         "Creates a user. The password is asked twice on the terminal, or read from the first line\n"
         "of standard input when it is not a terminal; it is never taken from the command line.",
         {"email", "role", "name"}, create_user},
        {"set-role", "set-role --email EMAIL --role ADMIN|MANAGER|SALES",
         "Changes a user's role. The last ADMIN cannot be demoted.", {"email", "role"}, set_role},
        {"reset-password", "reset-password --email EMAIL",
         "Sets a new password (asked as for create-user) and revokes the user's refresh tokens.", {"email"},
         reset_password},
        {"list-users", "list-users [--format table|jsonl]", "Lists every user, oldest first.", {"format"},
         list_users},
        {"import-leads", "import-leads FILE.csv [--batch-size N] [--owner-email EMAIL]",
         "Imports leads from a CSV file with a header row naming its columns: title (required),\n"
         "description, status, source, ownerId or ownerEmail, metadata (a JSON object); id, createdAt\n"
         "and updatedAt are ignored, so an export imports back. Empty cells are null. The file is\n"
         "streamed; rows are validated one by one and committed in batches (default 1000), each in\n"
         "one transaction. A batch the database refuses leaves nothing behind and its rows are retried\n"
         "one by one, so every good row is imported and every bad one reported with its line number.\n"
         "--owner-email gives rows without an owner column that owner. Progress goes to stderr when it\n"
         "is a terminal. Exit code 1 when some rows were rejected.",
         {"batch-size", "owner-email"}, import_leads},
        {"export-leads", "export-leads [--format csv|jsonl] [--output FILE]",
         "Writes every lead, oldest first, streaming: CSV with the columns import-leads reads, or one\n"
         "JSON object per line as the HTTP API shows it.",
         {"format", "output"}, export_leads},
    };
    return all;
}

}  // namespace crmctl
