// crmctl import-leads: a CSV file, streamed, validated row by row, committed in batches.
//
// Memory stays bounded whatever the file's size: the reader holds one record (at most 8 MiB), the
// importer one batch (--batch-size rows, at most 8 MiB of text), the owner cache a few thousand
// emails, and rejected rows go to a temporary file until the final report.
//
// A batch is one transaction (Service::create_leads): when the database refuses it (an ownerId
// that names no user is found out only there), nothing of it is kept. The batch is then split in
// halves, each retried as its own transaction, down to single rows: every good row is imported
// exactly once, and every bad row is reported with its own line number and the database's reason.
// A failure that is not about a row (the database is unreachable) stops the import: the batches
// committed before stay, and the report says from which line on nothing was imported.
#include "commands.hpp"
#include "csv.hpp"
#include "terminal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <unordered_map>

namespace crmctl {

namespace {

constexpr std::size_t max_batch_bytes = 8u << 20;  // text held in one batch, whatever --batch-size
constexpr std::size_t owner_cache_size = 4096;

// ---- the header --------------------------------------------------------------------------------

struct Header {
    std::size_t count = 0;
    std::optional<std::size_t> title, description, status, source, owner_id, owner_email, metadata;
};

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

// A header cell as a spreadsheet may write it: padded, in another case, with a byte order mark
// (one the reader did not take off: inside quotes, or a second one). The key to match it by.
std::string header_key(std::string_view name) {
    constexpr std::string_view bom = "\xEF\xBB\xBF";
    auto trim = [](std::string_view t) {
        while (!t.empty() && blank(t.front())) t.remove_prefix(1);
        while (!t.empty() && blank(t.back())) t.remove_suffix(1);
        return t;
    };
    name = trim(name);
    while (name.substr(0, bom.size()) == bom) name = trim(name.substr(bom.size()));
    std::string key(name);
    for (auto& c : key) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return key;
}

// When a column's name holds another delimiter, the file is most likely separated by it.
std::string delimiter_hint(const std::string& name, char delimiter) {
    struct Other {
        char c;
        const char* plural;
        const char* option;  // as typed in a shell
    };
    for (const Other& d : {Other{';', "semicolons", "';'"}, Other{'\t', "tabs", "tab"}, Other{'|', "bars", "'|'"},
                           Other{',', "commas", ","}})
        if (d.c != delimiter && name.find(d.c) != std::string::npos)
            return std::string(" (is the file separated by ") + d.plural + "? then give --delimiter " + d.option + ")";
    return "";
}

Header parse_header(const CsvRecord& record, char delimiter) {
    if (!record.error.empty()) throw UsageError("malformed header row: " + record.error);
    Header h;
    h.count = record.size;
    struct Known {
        const char* name;  // as documented; matched without case and surrounding blanks
        std::optional<std::size_t>* column;
    };
    const Known known[] = {{"title", &h.title},       {"description", &h.description}, {"status", &h.status},
                           {"source", &h.source},     {"ownerId", &h.owner_id},        {"ownerEmail", &h.owner_email},
                           {"metadata", &h.metadata}, {"id", nullptr},                 {"createdAt", nullptr},
                           {"updatedAt", nullptr}};
    std::vector<const Known*> seen;
    for (std::size_t i = 0; i < record.size; ++i) {
        const std::string& name = record.fields[i].text;
        std::string key = header_key(name);
        auto it = std::find_if(std::begin(known), std::end(known),
                               [&](const Known& k) { return key == header_key(k.name); });
        if (it == std::end(known))
            throw UsageError("unknown column " + shown_value("column", name) + " in the header row" +
                             delimiter_hint(name, delimiter) +
                             "; the columns are title, description, status, source, ownerId or ownerEmail, metadata "
                             "(id, createdAt and updatedAt are ignored)");
        if (std::find(seen.begin(), seen.end(), &*it) != seen.end())
            throw UsageError(std::string("column \"") + it->name + "\" appears twice in the header row");
        seen.push_back(&*it);
        if (it->column) *it->column = i;
    }
    if (!h.title)
        throw UsageError("the header row has no title column" +
                         (record.size == 1 ? delimiter_hint(record.fields[0].text, delimiter) : ""));
    if (h.owner_id && h.owner_email) throw UsageError("the header row has both ownerId and ownerEmail: give one");
    return h;
}

// "FIELD MESSAGE (got "VALUE")": the value shown, quoted and cut short, so that the user finds the
// cell to fix; a value that is empty adds nothing.
std::string problem(std::string_view field, std::string_view message, std::string_view value) {
    std::string out = crm::to_string(crm::FieldError{std::string(field), std::string(message)});
    if (!value.empty()) out += " (got " + shown_value(field, value) + ")";
    return out;
}

// The text a lead's field had in the file, for problem().
std::string lead_value(const crm::NewLead& lead, std::string_view field) {
    if (field == "title") return lead.title;
    if (field == "description") return lead.description.value_or("");
    if (field == "source") return lead.source.value_or("");
    if (field == "metadata") return lead.metadata.value_or("");
    if (field == "ownerId" && lead.owner_id && *lead.owner_id) return (*lead.owner_id)->to_string();
    return "";
}

// ---- the report ----------------------------------------------------------------------------------

struct Rejected {
    std::uint64_t line;
    std::string reason;
};

// Every rejected row, in file order, kept in a temporary file (in memory only when no temporary
// file can be made) so that any number of them can be listed at the end.
class Report {
public:
    explicit Report(std::string label) : label_(std::move(label)), spill_(std::tmpfile(), &std::fclose) {}

    void add(const Rejected& r) {
        ++count_;
        std::string entry = label_ + ":" + std::to_string(r.line) + ": " + r.reason;
        std::replace_if(entry.begin(), entry.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
        entry += '\n';
        if (spill_ && std::fwrite(entry.data(), 1, entry.size(), spill_.get()) == entry.size()) return;
        memory_.push_back(std::move(entry));
    }
    [[nodiscard]] std::uint64_t count() const noexcept { return count_; }

    void print_rows(std::FILE* out) {
        if (spill_) {
            std::fflush(spill_.get());
            std::rewind(spill_.get());
            char buffer[1 << 16];
            for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, spill_.get())) > 0;)
                std::fwrite(buffer, 1, n, out);
        }
        for (const auto& entry : memory_) std::fputs(entry.c_str(), out);
    }

private:
    std::string label_;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> spill_;
    std::vector<std::string> memory_;
    std::uint64_t count_ = 0;
};

std::string describe_row(const crm::Error& e, const crm::NewLead& lead) {
    std::string out;
    for (auto f : e.field_errors()) {
        // create_leads names fields "[i].field"; a batch of one row has only [0].
        if (f.field.rfind("[0].", 0) == 0) f.field.erase(0, 4);
        out += (out.empty() ? "" : "; ") + problem(f.field, f.message, lead_value(lead, f.field));
    }
    return out.empty() ? e.what() : out;
}

// A failure of the database rather than of a row: retrying smaller batches would not help.
bool fatal(const crm::Error& e) {
    return e.code() != crm::Errc::invalid && e.code() != crm::Errc::not_found && e.code() != crm::Errc::conflict;
}

// ---- batches ---------------------------------------------------------------------------------------

class Importer {
public:
    /// `max_errors` 0: no limit. `dry_run`: nothing is written; the rows that would be are counted.
    Importer(Context& c, Report& report, std::size_t batch_rows, std::uint64_t max_errors, bool dry_run)
        : c_(c), report_(report), batch_rows_(batch_rows), max_errors_(max_errors), dry_run_(dry_run) {}

    void add(std::uint64_t line, crm::NewLead lead, std::size_t bytes) {
        leads_.push_back(std::move(lead));
        lines_.push_back(line);
        bytes_ += bytes;
        if (leads_.size() >= batch_rows_ || bytes_ >= max_batch_bytes) flush();
    }

    // Rows rejected before the database sees them wait for the batch around them, so that the
    // report lists every rejected row in file order; a long run of them flushes the batch early,
    // and so does reaching --max-errors (the rows before the last rejected one are settled).
    void reject(std::uint64_t line, std::string reason) {
        if (leads_.empty()) {
            report_.add({line, std::move(reason)});
            if (max_errors_ && report_.count() >= max_errors_) cutoff_ = line;
            return;
        }
        held_.push_back({line, std::move(reason)});
        if (held_.size() >= batch_rows_ || (max_errors_ && report_.count() + held_.size() >= max_errors_)) flush();
    }

    void flush() {
        if (!leads_.empty()) {
            auto leads = std::move(leads_);
            auto lines = std::move(lines_);
            leads_ = {};
            lines_ = {};
            bytes_ = 0;
            find_cutoff();
            commit(std::move(leads), std::move(lines));
        }
        report_rejections();
    }

    // Writes what was rejected so far to the report, in line order (up to the cutoff).
    void report_rejections() {
        std::vector<Rejected> merged;
        merged.reserve(held_.size() + refused_.size());
        std::merge(std::make_move_iterator(held_.begin()), std::make_move_iterator(held_.end()),
                   std::make_move_iterator(refused_.begin()), std::make_move_iterator(refused_.end()),
                   std::back_inserter(merged), [](const Rejected& a, const Rejected& b) { return a.line < b.line; });
        for (const auto& r : merged)
            if (!cutoff_ || r.line <= *cutoff_) report_.add(r);
        held_.clear();
        refused_.clear();
    }

    [[nodiscard]] std::uint64_t imported() const noexcept { return imported_; }
    /// After a failure: the first line of the rows not committed (nullopt: none is pending).
    [[nodiscard]] std::optional<std::uint64_t> stopped_at() const noexcept {
        if (stopped_at_) return stopped_at_;
        if (!lines_.empty()) return lines_.front();
        return std::nullopt;
    }
    /// With --max-errors: the line of the last rejected row it allows, once reached. Rows after
    /// it are neither imported nor reported.
    [[nodiscard]] std::optional<std::uint64_t> cutoff() const noexcept { return cutoff_; }

private:
    // The line of the max_errors-th rejected row, in file order, when the rejections known so far
    // reach it. Those reported already come before every pending row; held_ and refused_ are each
    // in line order.
    void find_cutoff() {
        if (!max_errors_ || report_.count() >= max_errors_) return;
        std::uint64_t left = max_errors_ - report_.count();
        std::size_t h = 0, r = 0;
        while (h < held_.size() || r < refused_.size()) {
            bool take_held = r == refused_.size() || (h < held_.size() && held_[h].line < refused_[r].line);
            std::uint64_t line = take_held ? held_[h++].line : refused_[r++].line;
            if (--left == 0) {
                cutoff_ = cutoff_ ? std::min(*cutoff_, line) : line;
                return;
            }
        }
    }

    // One transaction for `leads`; when the database refuses it, each half is retried on its own.
    // Rows after the cutoff are left out: a rejection found in this batch can move it earlier.
    void commit(std::vector<crm::NewLead> leads, std::vector<std::uint64_t> lines) {
        if (cutoff_) {
            auto after = std::upper_bound(lines.begin(), lines.end(), *cutoff_);
            auto keep = static_cast<std::size_t>(after - lines.begin());
            leads.resize(keep);
            lines.resize(keep);
        }
        if (leads.empty()) return;
        if (dry_run_) {  // every check a dry run can make was made on the row (RowReader)
            imported_ += leads.size();
            return;
        }
        try {
            imported_ += c_.service.create_leads(c_.system, leads).size();
            return;
        } catch (const crm::Error& e) {
            if (fatal(e)) {
                if (!stopped_at_) stopped_at_ = lines.front();
                throw;
            }
            if (leads.size() == 1) {
                refused_.push_back({lines.front(), describe_row(e, leads.front())});
                find_cutoff();
                return;
            }
        }
        std::size_t half = leads.size() / 2;
        std::vector<crm::NewLead> second(std::make_move_iterator(leads.begin() + static_cast<std::ptrdiff_t>(half)),
                                         std::make_move_iterator(leads.end()));
        std::vector<std::uint64_t> second_lines(lines.begin() + static_cast<std::ptrdiff_t>(half), lines.end());
        leads.resize(half);
        lines.resize(half);
        commit(std::move(leads), std::move(lines));
        commit(std::move(second), std::move(second_lines));
    }

    Context& c_;
    Report& report_;
    std::size_t batch_rows_;
    std::uint64_t max_errors_;
    bool dry_run_;
    std::vector<crm::NewLead> leads_;
    std::vector<std::uint64_t> lines_;
    std::size_t bytes_ = 0;
    std::vector<Rejected> held_, refused_;
    std::uint64_t imported_ = 0;
    std::optional<std::uint64_t> stopped_at_, cutoff_;
};

// ---- rows ------------------------------------------------------------------------------------------

// Owner ids by email, looked up once each (a bounded cache: it is emptied when full).
class Owners {
public:
    explicit Owners(Context& c) : c_(c) {}
    std::optional<crm::Uuid> find(const std::string& email) {
        if (auto it = cache_.find(email); it != cache_.end()) return it->second;
        if (cache_.size() >= owner_cache_size) cache_.clear();
        std::optional<crm::Uuid> id;
        try {
            id = c_.service.get_user_by_email(c_.system, email).id;
        } catch (const crm::Error& e) {
            if (e.code() != crm::Errc::not_found) throw;
        }
        cache_.emplace(email, id);
        return id;
    }
    // Whether a user has this id: a dry run asks what the database checks when the lead is written.
    bool exists(const crm::Uuid& id) {
        std::string key = id.to_string();
        if (auto it = ids_.find(key); it != ids_.end()) return it->second;
        if (ids_.size() >= owner_cache_size) ids_.clear();
        bool found = true;
        try {
            (void)c_.service.get_user(c_.system, id);
        } catch (const crm::Error& e) {
            if (e.code() != crm::Errc::not_found) throw;
            found = false;
        }
        ids_.emplace(std::move(key), found);
        return found;
    }

private:
    Context& c_;
    std::unordered_map<std::string, std::optional<crm::Uuid>> cache_;
    std::unordered_map<std::string, bool> ids_;
};

struct RowReader {
    const Header& header;
    std::optional<crm::Uuid> default_owner;
    Owners& owners;
    bool dry_run;

    // The lead a valid row describes; nullopt with `reason` set for a row to reject.
    std::optional<crm::NewLead> lead(CsvRecord& record, std::string& reason, std::size_t& bytes) {
        if (!record.error.empty()) {
            reason = "malformed CSV: " + record.error;
            return std::nullopt;
        }
        if (record.size != header.count) {
            reason = "has " + std::to_string(record.size) + (record.size == 1 ? " field" : " fields") +
                     ", the header row has " + std::to_string(header.count);
            return std::nullopt;
        }
        auto cell = [&](const std::optional<std::size_t>& column) -> CsvField* {
            return column ? &record.fields[*column] : nullptr;
        };
        // Free text: an empty cell is null, a quoted empty cell ("") the empty string.
        auto text = [&](const std::optional<std::size_t>& column) -> std::optional<std::string> {
            CsvField* f = cell(column);
            if (!f || (f->text.empty() && !f->quoted)) return std::nullopt;
            return std::move(f->text);
        };
        // Values (status, owner, metadata): empty, quoted or not, is "not given".
        auto value = [&](const std::optional<std::size_t>& column) -> std::optional<std::string> {
            CsvField* f = cell(column);
            if (!f || f->text.empty()) return std::nullopt;
            return std::move(f->text);
        };

        std::vector<std::string> problems;
        crm::NewLead lead;
        // Free text as export-leads wrote it: its formula guard comes off (csv.hpp).
        auto free_text = [&](const std::optional<std::size_t>& column) -> std::optional<std::string> {
            auto t = text(column);
            return t ? std::optional(formula_guard_removed(std::move(*t))) : std::nullopt;
        };
        lead.title = formula_guard_removed(std::move(cell(header.title)->text));
        lead.description = free_text(header.description);
        lead.source = free_text(header.source);
        lead.metadata = value(header.metadata);
        if (auto status = value(header.status)) {
            if (auto parsed = crm::parse<crm::LeadStatus>(*status))
                lead.status = *parsed;
            else
                problems.push_back(problem("status", "must be one of " + std::string(crm::lead_status_names()), *status));
        }
        lead.owner_id = std::optional<crm::Uuid>(default_owner);  // unowned when there is no default
        if (auto owner = value(header.owner_id)) {
            if (auto id = crm::Uuid::parse(*owner)) {
                lead.owner_id = std::optional<crm::Uuid>(*id);
                // The same words as the database's refusal (lead_store.cpp), which a real import gets.
                if (dry_run && !owners.exists(*id))
                    problems.push_back(problem("ownerId", "must be an existing user", *owner));
            } else {
                problems.push_back(problem("ownerId", "must be a UUID", *owner));
            }
        } else if (auto email = value(header.owner_email)) {
            if (auto id = owners.find(*email))
                lead.owner_id = std::optional<crm::Uuid>(*id);
            else
                problems.push_back(problem("ownerEmail", "is not the email of a user", *email));
        }
        for (const auto& f : crm::validate(lead))
            problems.push_back(problem(f.field, f.message, lead_value(lead, f.field)));
        if (!problems.empty()) {
            reason.clear();
            for (const auto& p : problems) reason += (reason.empty() ? "" : "; ") + p;
            return std::nullopt;
        }
        bytes = 128 + lead.title.size() + lead.description.value_or("").size() + lead.source.value_or("").size() +
                lead.metadata.value_or("").size();
        return lead;
    }
};

struct ImportOptions {
    std::string file;
    std::size_t batch_size = 1000;
    std::string owner_email;
    std::string delimiter = ",";  // one character, once the option's check has read it
    std::uint64_t max_errors = 0;  // 0: no limit
    bool dry_run = false;
};

int import_leads(Context& c, const ImportOptions& o) {
    const std::string& path = o.file;
    std::string label = path == "-" ? "stdin" : path;
    struct File {
        int fd = STDIN_FILENO;
        bool owned = false;
        ~File() {
            if (owned) ::close(fd);
        }
    } file;
    if (path != "-") {
        file.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (file.fd < 0) throw UsageError("cannot open " + path + ": " + std::strerror(errno));
        file.owned = true;
    }
    int fd = file.fd;
    struct stat info {};
    if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) throw UsageError(path + " is a directory");
    // The progress bar's 100%: a regular file's size (unknown for a pipe).
    std::uint64_t size = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) ? static_cast<std::uint64_t>(info.st_size) : 0;

    char delimiter = o.delimiter.at(0);
    CsvReader reader(fd, CsvReader::default_max_record_bytes, delimiter);
    CsvRecord record;
    if (!reader.next(record)) throw UsageError(label + " is empty: it needs a header row naming its columns");
    Header header = parse_header(record, delimiter);

    std::optional<crm::Uuid> default_owner;
    if (!o.owner_email.empty()) {
        try {
            default_owner = c.service.get_user_by_email(c.system, o.owner_email).id;
        } catch (const crm::Error& e) {
            if (e.code() != crm::Errc::not_found) throw;
            throw UsageError("--owner-email " + o.owner_email + ": no user has this email");
        }
    }

    Owners owners(c);
    RowReader rows{header, default_owner, owners, o.dry_run};
    Report report(label);
    Importer importer(c, report, o.batch_size, o.max_errors, o.dry_run);
    Progress progress(size);
    std::uint64_t count = 0;
    auto summary = [&] {
        report.print_rows(stdout);
        std::printf("%s %llu leads, rejected %llu rows%s\n", o.dry_run ? "would import" : "imported",
                    static_cast<unsigned long long>(importer.imported()),
                    static_cast<unsigned long long>(report.count()),
                    o.dry_run ? " (dry run: nothing was written)" : "");
        std::fflush(stdout);
    };
    try {
        while (!importer.cutoff() && reader.next(record)) {
            ++count;
            progress.update(reader.bytes_read(), count);
            std::string reason;
            std::size_t bytes = 0;
            if (auto lead = rows.lead(record, reason, bytes))
                importer.add(record.line, std::move(*lead), bytes);
            else
                importer.reject(record.line, std::move(reason));
        }
        importer.flush();
    } catch (const std::exception& e) {
        progress.finish(reader.bytes_read(), count);
        importer.report_rejections();
        summary();
        auto* error = dynamic_cast<const crm::Error*>(&e);
        std::uint64_t line = importer.stopped_at().value_or(record.line);
        std::fprintf(stderr, "crmctl: the import stopped at %s:%llu: %s\n", label.c_str(),
                     static_cast<unsigned long long>(line), error ? describe(*error).c_str() : e.what());
        std::fprintf(stderr,
                     "crmctl: rows from line %llu on were not imported; the %llu leads imported before are committed\n",
                     static_cast<unsigned long long>(line), static_cast<unsigned long long>(importer.imported()));
        return failure;
    }
    progress.finish(reader.bytes_read(), count);
    summary();
    if (auto cutoff = importer.cutoff()) {
        std::fprintf(stderr, "crmctl: stopped at %s:%llu, rejected row %llu of --max-errors %llu: ", label.c_str(),
                     static_cast<unsigned long long>(*cutoff), static_cast<unsigned long long>(report.count()),
                     static_cast<unsigned long long>(o.max_errors));
        if (o.dry_run)
            std::fprintf(stderr, "no row after it was checked\n");
        else
            std::fprintf(stderr, "no row after it was imported; the %llu leads before it are committed\n",
                         static_cast<unsigned long long>(importer.imported()));
    }
    return report.count() ? rows_rejected : ok;
}

constexpr const char* import_help =
    "Imports leads from an RFC 4180 CSV file (- reads standard input). The first row names the\n"
    "columns, in any order, in any case and with any blanks around them (Title, \" ownerid \"):\n"
    "  title        required\n"
    "  description  free text\n"
    "  status       NEW (the default), CONTACTED, QUALIFIED or CLOSED\n"
    "  source       free text, at most 255 characters\n"
    "  ownerId      a user's id, or ownerEmail: a user's email (not both)\n"
    "  metadata     a JSON object\n"
    "  id, createdAt, updatedAt   ignored, so that an export-leads file imports back\n"
    "Any other column, or no title column, is a usage error (exit 2). Fields are separated by\n"
    "commas, or by --delimiter's character (';' as spreadsheets write CSV where the decimal mark\n"
    "is a comma; tab). They may be quoted, with delimiters, line breaks and doubled quotes inside;\n"
    "CRLF or LF line ends; a UTF-8 byte order mark is skipped. Values are kept verbatim (no\n"
    "trimming, no formula escaping). An empty cell is null (status: NEW; owner: none, or\n"
    "--owner-email's user); for description and source a quoted empty cell (\"\") is the empty\n"
    "string.\n"
    "\n"
    "The file is streamed and every row is validated on its own. Valid rows are committed in\n"
    "batches of --batch-size rows (default 1000, and at most 8 MiB of text), each batch in one\n"
    "transaction. When the database refuses a batch (an ownerId that names no user), nothing of\n"
    "that batch is kept; it is split in halves, each retried as its own transaction, down to\n"
    "single rows, so that every good row is imported exactly once and every bad row is reported.\n"
    "If the database fails (unreachable, locked too long), the import stops: the batches\n"
    "committed before stay, and the message says from which line on nothing was imported\n"
    "(exit 3). Interrupted (Ctrl-C), it keeps the batches committed before; the one in flight\n"
    "is rolled back. Importing a file twice imports its rows twice.\n"
    "\n"
    "--max-errors N stops at the Nth rejected row: the valid rows before it are imported (in\n"
    "their batches, as always), no row after it is, and stderr names the line to fix and resume\n"
    "after (exit 1). --dry-run reads and checks the whole file as an import would, including\n"
    "that ownerId names a user, and writes nothing: the report says what would be imported.\n"
    "\n"
    "While it runs, a progress bar (rows, rows/s, ETA) is drawn on stderr when stderr is a\n"
    "terminal. At the end, stdout lists each rejected row as FILE:LINE: REASON (LINE: the physical\n"
    "line where the record starts; the reason shows the offending value, quoted and cut after\n"
    "60 bytes), in file order, then `imported N leads, rejected M rows`.\n"
    "\n"
    "exit codes: 0 every row imported, 1 some rows rejected, 2 usage error (options, unreadable\n"
    "file, bad header), 3 the database failed.\n";

// --delimiter: one character; "tab" or "\t" for a tab (hard to type in a shell).
const CLI::Validator& delimiter_check() {
    static const CLI::Validator check(
        [](std::string& value) -> std::string {
            if (value == "tab" || value == "TAB" || value == "\\t") value = "\t";
            if (value.size() != 1) return "must be one character (\"tab\" or \\t for a tab), not \"" + value + "\"";
            unsigned char c = static_cast<unsigned char>(value[0]);
            if (c == '"' || c == '\r' || c == '\n' || c >= 0x80 || (c < 0x20 && c != '\t'))
                return "cannot be a quote, a line end, a control or a non-ASCII character";
            return "";
        },
        "");
    return check;
}

}  // namespace

void add_import_command(CLI::App& crmctl) {
    auto o = std::make_shared<ImportOptions>();
    auto& command = add_command(
        crmctl, {"import-leads",
                 "import-leads FILE.csv [--batch-size N] [--owner-email EMAIL] [--delimiter C] [--max-errors N] "
                 "[--dry-run]",
                 "imports leads from a CSV file", import_help, [o](Context& c) { return import_leads(c, *o); }});
    command.add_option("FILE.csv", o->file, "the CSV file to import; - reads standard input")
        ->type_name("")
        ->required()
        ->check(non_empty());
    command.add_option("--batch-size", o->batch_size, "rows per transaction, 1 to 100000 (default 1000)")
        ->type_name("N")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}).description(""));
    command.add_option("--owner-email", o->owner_email, "the owner of rows whose owner cell is empty or absent")
        ->type_name("EMAIL")
        ->check(non_empty());
    command.add_option("--delimiter", o->delimiter, "the field separator: , (default), ';', tab (or \\t), ...")
        ->type_name("C")
        ->transform(delimiter_check());
    command.add_option("--max-errors", o->max_errors, "stop at the Nth rejected row, 1 to 10^9 (default: no limit)")
        ->type_name("N")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1000000000}).description(""));
    command.add_flag("--dry-run", o->dry_run, "check every row and write nothing");
}

}  // namespace crmctl
