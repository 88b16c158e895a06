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
#include <charconv>
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

std::size_t count_option(const Options& o, const std::string& name, std::size_t fallback, std::size_t max) {
    if (!o.has(name)) return fallback;
    std::string text = o.required(name);
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > max)
        throw UsageError("--" + name + " must be a whole number from 1 to " + std::to_string(max));
    return value;
}

// ---- the header --------------------------------------------------------------------------------

struct Header {
    std::size_t count = 0;
    std::optional<std::size_t> title, description, status, source, owner_id, owner_email, metadata;
};

Header parse_header(const CsvRecord& record) {
    if (!record.error.empty()) throw UsageError("malformed header row: " + record.error);
    Header h;
    h.count = record.size;
    const std::pair<const char*, std::optional<std::size_t>*> known[] = {
        {"title", &h.title},       {"description", &h.description}, {"status", &h.status},
        {"source", &h.source},     {"ownerId", &h.owner_id},        {"ownerEmail", &h.owner_email},
        {"metadata", &h.metadata}, {"id", nullptr},                 {"createdAt", nullptr},
        {"updatedAt", nullptr}};
    std::vector<std::string> seen;
    for (std::size_t i = 0; i < record.size; ++i) {
        const std::string& name = record.fields[i].text;
        auto it = std::find_if(std::begin(known), std::end(known), [&](const auto& k) { return name == k.first; });
        if (it == std::end(known))
            throw UsageError("unknown column \"" + name +
                             "\" in the header row (the columns are title, description, status, source, ownerId "
                             "or ownerEmail, metadata; id, createdAt and updatedAt are ignored)");
        if (std::find(seen.begin(), seen.end(), name) != seen.end())
            throw UsageError("column \"" + name + "\" appears twice in the header row");
        seen.push_back(name);
        if (it->second) *it->second = i;
    }
    if (!h.title) throw UsageError("the header row has no title column");
    if (h.owner_id && h.owner_email) throw UsageError("the header row has both ownerId and ownerEmail: give one");
    return h;
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

std::string describe_row(const crm::Error& e) {
    std::string out;
    for (auto f : e.field_errors()) {
        // create_leads names fields "[i].field"; a batch of one row has only [0].
        if (f.field.rfind("[0].", 0) == 0) f.field.erase(0, 4);
        out += (out.empty() ? "" : "; ") + f.field + " " + f.message;
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
    Importer(Context& c, Report& report, std::size_t batch_rows) : c_(c), report_(report), batch_rows_(batch_rows) {}

    void add(std::uint64_t line, crm::NewLead lead, std::size_t bytes) {
        leads_.push_back(std::move(lead));
        lines_.push_back(line);
        bytes_ += bytes;
        if (leads_.size() >= batch_rows_ || bytes_ >= max_batch_bytes) flush();
    }

    // Rows rejected before the database sees them wait for the batch around them, so that the
    // report lists every rejected row in file order; a long run of them flushes the batch early.
    void reject(std::uint64_t line, std::string reason) {
        if (leads_.empty()) return report_.add({line, std::move(reason)});
        held_.push_back({line, std::move(reason)});
        if (held_.size() >= batch_rows_) flush();
    }

    void flush() {
        if (!leads_.empty()) {
            auto leads = std::move(leads_);
            auto lines = std::move(lines_);
            leads_ = {};
            lines_ = {};
            bytes_ = 0;
            commit(std::move(leads), std::move(lines));
        }
        report_rejections();
    }

    // Writes what was rejected so far to the report, in line order.
    void report_rejections() {
        std::vector<Rejected> merged;
        merged.reserve(held_.size() + refused_.size());
        std::merge(std::make_move_iterator(held_.begin()), std::make_move_iterator(held_.end()),
                   std::make_move_iterator(refused_.begin()), std::make_move_iterator(refused_.end()),
                   std::back_inserter(merged), [](const Rejected& a, const Rejected& b) { return a.line < b.line; });
        for (const auto& r : merged) report_.add(r);
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

private:
    // One transaction for `leads`; when the database refuses it, each half is retried on its own.
    void commit(std::vector<crm::NewLead> leads, std::vector<std::uint64_t> lines) {
        try {
            imported_ += c_.service.create_leads(c_.system, leads).size();
            return;
        } catch (const crm::Error& e) {
            if (fatal(e)) {
                if (!stopped_at_) stopped_at_ = lines.front();
                throw;
            }
            if (leads.size() == 1) {
                refused_.push_back({lines.front(), describe_row(e)});
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
    std::vector<crm::NewLead> leads_;
    std::vector<std::uint64_t> lines_;
    std::size_t bytes_ = 0;
    std::vector<Rejected> held_, refused_;
    std::uint64_t imported_ = 0;
    std::optional<std::uint64_t> stopped_at_;
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

private:
    Context& c_;
    std::unordered_map<std::string, std::optional<crm::Uuid>> cache_;
};

struct RowReader {
    const Header& header;
    std::optional<crm::Uuid> default_owner;
    Owners& owners;

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
                problems.push_back("status must be one of NEW, CONTACTED, QUALIFIED, CLOSED");
        }
        lead.owner_id = std::optional<crm::Uuid>(default_owner);  // unowned when there is no default
        if (auto owner = value(header.owner_id)) {
            if (auto id = crm::Uuid::parse(*owner))
                lead.owner_id = std::optional<crm::Uuid>(*id);
            else
                problems.push_back("ownerId must be a UUID");
        } else if (auto email = value(header.owner_email)) {
            if (auto id = owners.find(*email))
                lead.owner_id = std::optional<crm::Uuid>(*id);
            else
                problems.push_back("ownerEmail is not the email of a user");
        }
        for (const auto& f : crm::validate(lead)) problems.push_back(f.field + " " + f.message);
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

}  // namespace

int import_leads(Context& c, const Options& o) {
    if (o.positional.size() != 1) throw UsageError("import-leads takes one FILE.csv (- for standard input)");
    const std::string& path = o.positional[0];
    std::size_t batch_rows = count_option(o, "batch-size", 1000, 100000);

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

    CsvReader reader(fd);
    CsvRecord record;
    if (!reader.next(record)) throw UsageError(label + " is empty: it needs a header row naming its columns");
    Header header = parse_header(record);

    std::optional<crm::Uuid> default_owner;
    if (o.has("owner-email")) {
        std::string email = o.required("owner-email");
        try {
            default_owner = c.service.get_user_by_email(c.system, email).id;
        } catch (const crm::Error& e) {
            if (e.code() != crm::Errc::not_found) throw;
            throw UsageError("--owner-email " + email + ": no user has this email");
        }
    }

    Owners owners(c);
    RowReader rows{header, default_owner, owners};
    Report report(label);
    Importer importer(c, report, batch_rows);
    Progress progress(size);
    std::uint64_t count = 0;
    auto summary = [&] {
        report.print_rows(stdout);
        std::printf("imported %llu leads, rejected %llu rows\n", static_cast<unsigned long long>(importer.imported()),
                    static_cast<unsigned long long>(report.count()));
        std::fflush(stdout);
    };
    try {
        while (reader.next(record)) {
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
    return report.count() ? rows_rejected : ok;
}

}  // namespace crmctl
