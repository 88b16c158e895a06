// crmctl dump, restore, copy, adopt: a whole CRM (users with their password hashes, leads,
// activities; ids, timestamps and metadata exactly as stored) from one database to another of
// either engine, through a JSON Lines file or directly. Format: docs/moving-data.md.
#include "portability.hpp"

#include "atomic_file.hpp"
#include "commands.hpp"
#include "terminal.hpp"

#include <crm/crm.hpp>
#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

namespace crmctl::portability {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr int format_version = 1;
constexpr const char* header_key = "libcrmDump";
// A dump's longest line: a lead with a 1 MiB description escaped at 6 bytes a character is well
// below; anything longer is not a dump, and must not be read into memory whole.
constexpr std::size_t max_line_bytes = 64 * 1024 * 1024;

// ---- opening databases ----------------------------------------------------------------------------

crm::Database open(const std::string& url, const char* option) {
    if (url.empty()) throw UsageError(std::string("--") + option + " is required");
    crm::DatabaseOptions options;
    options.pool_size = 2;
    options.create_if_missing = false;  // a missing SQLite file is a typo: `crmctl migrate` makes one
    try {
        return crm::Database::open(url, options);
    } catch (const crm::Error& e) {
        if (e.code() == crm::Errc::invalid) throw UsageError(std::string("--") + option + ": " + e.what());
        throw crm::Error(e.code(), "cannot open " + redacted(url) + ": " + e.what());
    }
}

// Says how to fix the one mistake everybody makes first.
[[noreturn]] void rethrow_with_hint(const crm::Error& e, const std::string& target_url) {
    std::string message = e.what();
    if (e.code() == crm::Errc::unavailable && message.find("migrate it first") != std::string::npos)
        message += " (crmctl --database " + redacted(target_url) + " migrate)";
    else if (e.code() == crm::Errc::conflict && message.find("not empty") != std::string::npos)
        message += ": restore into a new, migrated database, or add --merge to add to it";
    throw crm::Error(e.code(), message, e.field_errors());
}

crm::Restore start_restore(crm::Database& target, const std::string& url, bool merge) {
    try {
        return crm::Restore(target, crm::RestoreOptions{merge});
    } catch (const crm::Error& e) {
        rethrow_with_hint(e, url);
    }
}

std::string counts_text(const crm::DataCounts& c) {
    return std::to_string(c.users) + " users, " + std::to_string(c.leads) + " leads, " + std::to_string(c.activities) +
           " activities";
}

std::uint64_t total(const crm::DataCounts& c) {
    return static_cast<std::uint64_t>(c.users + c.leads + c.activities);
}

// ---- the JSON Lines form ------------------------------------------------------------------------------

ordered_json nullable(const std::optional<std::string>& v) { return v ? ordered_json(*v) : ordered_json(nullptr); }
ordered_json nullable(const std::optional<crm::Uuid>& v) {
    return v ? ordered_json(v->to_string()) : ordered_json(nullptr);
}

ordered_json user_json(const crm::StoredUser& s) {
    const auto& u = s.user;
    return {{"user",
             {{"id", u.id.to_string()},
              {"name", u.name},
              {"email", u.email},
              {"role", crm::to_string(u.role)},
              {"password", s.password_hash},
              {"createdAt", crm::format_timestamp(u.created_at)},
              {"updatedAt", crm::format_timestamp(u.updated_at)}}}};
}

// metadata is the stored JSON text as a JSON string: never parsed here, so numbers of any size
// or precision come back exactly as they went in.
ordered_json lead_json(const crm::Lead& l) {
    return {{"lead",
             {{"id", l.id.to_string()},
              {"title", l.title},
              {"description", nullable(l.description)},
              {"status", crm::to_string(l.status)},
              {"source", nullable(l.source)},
              {"ownerId", nullable(l.owner_id)},
              {"metadata", nullable(l.metadata)},
              {"createdAt", crm::format_timestamp(l.created_at)},
              {"updatedAt", crm::format_timestamp(l.updated_at)}}}};
}

ordered_json activity_json(const crm::Activity& a) {
    return {{"activity",
             {{"id", a.id.to_string()},
              {"leadId", a.lead_id.to_string()},
              {"type", crm::to_string(a.type)},
              {"body", nullable(a.body)},
              {"createdBy", nullable(a.created_by)},
              {"createdAt", crm::format_timestamp(a.created_at)},
              {"updatedAt", crm::format_timestamp(a.updated_at)}}}};
}

ordered_json counts_json(const crm::DataCounts& c) {
    return {{"users", c.users}, {"leads", c.leads}, {"activities", c.activities}};
}

// A line of a dump that is not what it must be.
struct BadLine : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Reads the fields of one record, each exactly once and of the right type.
class Fields {
public:
    Fields(const json& object, const char* kind) : object_(object), kind_(kind) {
        if (!object.is_object()) throw BadLine(std::string(kind) + " must be a JSON object");
    }
    const json& at(const char* name) {
        auto it = object_.find(name);
        if (it == object_.end()) throw BadLine(std::string(kind_) + " has no \"" + name + "\"");
        used_.emplace_back(name);
        return *it;
    }
    std::string text(const char* name) {
        const auto& v = at(name);
        if (!v.is_string()) throw BadLine(std::string(kind_) + "." + name + " must be a string");
        return v.get<std::string>();
    }
    std::optional<std::string> nullable_text(const char* name) {
        const auto& v = at(name);
        if (v.is_null()) return std::nullopt;
        if (!v.is_string()) throw BadLine(std::string(kind_) + "." + name + " must be a string or null");
        return v.get<std::string>();
    }
    crm::Uuid uuid(const char* name) {
        auto id = crm::Uuid::parse(text(name));
        if (!id) throw BadLine(std::string(kind_) + "." + name + " must be a UUID");
        return *id;
    }
    std::optional<crm::Uuid> nullable_uuid(const char* name) {
        auto t = nullable_text(name);
        if (!t) return std::nullopt;
        auto id = crm::Uuid::parse(*t);
        if (!id) throw BadLine(std::string(kind_) + "." + name + " must be a UUID or null");
        return id;
    }
    crm::Timestamp timestamp(const char* name) {
        auto t = crm::parse_timestamp(text(name));
        if (!t) throw BadLine(std::string(kind_) + "." + name + " must be a timestamp like 2026-11-28T05:48:00.123Z");
        return *t;
    }
    template <class Enum>
    Enum enumerated(const char* name, const char* allowed) {
        auto e = crm::parse<Enum>(text(name));
        if (!e) throw BadLine(std::string(kind_) + "." + name + " must be " + allowed);
        return *e;
    }
    std::int64_t count(const char* name) {
        const auto& v = at(name);
        if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
            throw BadLine(std::string(kind_) + "." + name + " must be a whole number");
        return v.get<std::int64_t>();
    }
    // Unknown fields are refused: a dump is read by a version that understands all of it.
    void done() const {
        for (auto it = object_.begin(); it != object_.end(); ++it)
            if (std::find(used_.begin(), used_.end(), it.key()) == used_.end())
                throw BadLine(std::string(kind_) + " has an unknown field \"" + it.key() + "\"");
    }

private:
    const json& object_;
    const char* kind_;
    std::vector<std::string> used_;
};

crm::StoredUser parse_user(const json& j) {
    Fields f(j, "user");
    crm::StoredUser s;
    s.user.id = f.uuid("id");
    s.user.name = f.text("name");
    s.user.email = f.text("email");
    s.user.role = f.enumerated<crm::Role>("role", "ADMIN, MANAGER or SALES");
    s.password_hash = f.text("password");
    s.user.created_at = f.timestamp("createdAt");
    s.user.updated_at = f.timestamp("updatedAt");
    f.done();
    return s;
}

crm::Lead parse_lead(const json& j) {
    Fields f(j, "lead");
    crm::Lead l;
    l.id = f.uuid("id");
    l.title = f.text("title");
    l.description = f.nullable_text("description");
    l.status = f.enumerated<crm::LeadStatus>("status", "NEW, CONTACTED, QUALIFIED or CLOSED");
    l.source = f.nullable_text("source");
    l.owner_id = f.nullable_uuid("ownerId");
    l.metadata = f.nullable_text("metadata");
    l.created_at = f.timestamp("createdAt");
    l.updated_at = f.timestamp("updatedAt");
    f.done();
    return l;
}

crm::Activity parse_activity(const json& j) {
    Fields f(j, "activity");
    crm::Activity a;
    a.id = f.uuid("id");
    a.lead_id = f.uuid("leadId");
    a.type = f.enumerated<crm::ActivityType>("type", "NOTE, CALL or EMAIL");
    a.body = f.nullable_text("body");
    a.created_by = f.nullable_uuid("createdBy");
    a.created_at = f.timestamp("createdAt");
    a.updated_at = f.timestamp("updatedAt");
    f.done();
    return a;
}

crm::DataCounts parse_counts(Fields& f) {
    crm::DataCounts c;
    c.users = f.count("users");
    c.leads = f.count("leads");
    c.activities = f.count("activities");
    return c;
}

// ---- output ----------------------------------------------------------------------------------------

// Writes each row as a line as the dump reads it.
class JsonLinesSink : public crm::DataSink {
public:
    JsonLinesSink(std::ostream& out, std::string name) : out_(out), name_(std::move(name)) {}

    void begin(const crm::DumpInfo& info) override {
        progress_.emplace(total(info.counts));
        ordered_json header = {{"formatVersion", format_version},
                               {"libcrmVersion", std::string(crm::version())},
                               {"schemaVersion", info.schema_version},
                               {"backend", info.backend == crm::Backend::sqlite ? "sqlite" : "postgresql"},
                               {"createdAt", crm::format_timestamp(crm::now())},
                               {"users", info.counts.users},
                               {"leads", info.counts.leads},
                               {"activities", info.counts.activities}};
        write(ordered_json{{header_key, header}});
    }
    void user(const crm::StoredUser& u) override {
        write(user_json(u));
        ++counts_.users;
        advance();
    }
    void lead(const crm::Lead& l) override {
        write(lead_json(l));
        ++counts_.leads;
        advance();
    }
    void activity(const crm::Activity& a) override {
        write(activity_json(a));
        ++counts_.activities;
        advance();
    }
    // The last line: what a reader checks to know the dump is whole.
    void end() {
        write(ordered_json{{"end", counts_json(counts_)}});
        if (progress_) progress_->finish(total(counts_), total(counts_));
    }
    [[nodiscard]] const crm::DataCounts& counts() const { return counts_; }

private:
    void write(const ordered_json& line) {
        // Strict UTF-8: a value the database holds that is not UTF-8 stops the dump rather than
        // being altered in it.
        out_ << line.dump() << '\n';
        if (!out_) throw std::runtime_error("writing " + name_ + " failed: " + std::strerror(errno));
    }
    void advance() {
        auto n = total(counts_);
        if (progress_) progress_->update(n, n);
    }

    std::ostream& out_;
    std::string name_;
    crm::DataCounts counts_;
    std::optional<Progress> progress_;
};

// Adds each row to a Restore as the dump reads it (copy, adopt).
class RestoreSink : public crm::DataSink {
public:
    explicit RestoreSink(crm::Restore& restore) : restore_(restore) {}
    void begin(const crm::DumpInfo& info) override { progress_.emplace(total(info.counts)); }
    void user(const crm::StoredUser& u) override {
        restore_.add(u);
        advance();
    }
    void lead(const crm::Lead& l) override {
        restore_.add(l);
        advance();
    }
    void activity(const crm::Activity& a) override {
        restore_.add(a);
        advance();
    }
    void finish() {
        if (progress_) progress_->finish(rows_, rows_);
    }

private:
    void advance() {
        ++rows_;
        if (progress_) progress_->update(rows_, rows_);
    }
    crm::Restore& restore_;
    std::uint64_t rows_ = 0;
    std::optional<Progress> progress_;
};

// ---- input ------------------------------------------------------------------------------------------

// One line at a time, at most max_line_bytes, counting lines and bytes.
class LineReader {
public:
    LineReader(std::FILE* in, std::string name) : in_(in), name_(std::move(name)) {}

    // False at the end of the input. `complete`: the line ended with a line feed.
    bool next(std::string& line, bool& complete) {
        line.clear();
        complete = false;
        char buffer[65536];
        while (std::fgets(buffer, sizeof buffer, in_)) {
            std::size_t n = std::strlen(buffer);
            bytes_ += n;
            if (n && buffer[n - 1] == '\n') {
                line.append(buffer, n - 1);
                complete = true;
                break;
            }
            line.append(buffer, n);
            if (line.size() > max_line_bytes)
                throw BadLine("longer than " + std::to_string(max_line_bytes / (1024 * 1024)) + " MiB: not a dump line");
        }
        if (std::ferror(in_)) throw std::runtime_error("reading " + name_ + " failed: " + std::strerror(errno));
        if (!complete && line.empty()) return false;
        ++number_;
        return true;
    }
    [[nodiscard]] std::uint64_t number() const { return number_; }
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

private:
    std::FILE* in_;
    std::string name_;
    std::uint64_t number_ = 0, bytes_ = 0;
};

// A failure at a line of the dump, reported as FILE:LINE: WHY.
struct DumpFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

json parse_line(const std::string& line, bool complete) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        throw BadLine(complete ? "not valid JSON" : "not valid JSON, and the file ends inside it: the dump is cut short");
    if (!j.is_object() || j.size() != 1)
        throw BadLine("not a dump record (an object with one key: user, lead, activity or end)");
    return j;
}

}  // namespace

// ---- the commands ------------------------------------------------------------------------------------

int dump(const DumpOptions& o) {
    if (o.output.empty()) throw UsageError("--output needs a file name (- for standard output)");
    crm::Database source = open(o.database, "database");
    std::optional<AtomicFile> file;
    if (o.output != "-") file.emplace(o.output);
    std::ostream& out = file ? file->stream() : std::cout;
    JsonLinesSink sink(out, o.output == "-" ? "standard output" : o.output);
    crm::dump(source, sink);
    sink.end();
    if (file) {
        file->commit();
    } else {
        out.flush();
        if (!out) throw std::runtime_error("writing the dump failed: " + std::string(std::strerror(errno)));
    }
    std::fprintf(stderr, "dumped %s%s%s\n", counts_text(sink.counts()).c_str(), file ? " to " : "",
                 file ? o.output.c_str() : "");
    return ok;
}

int restore(const RestoreOptions& o) {
    if (o.file.empty()) throw UsageError("restore takes one FILE (- reads standard input)");
    std::FILE* in = stdin;
    std::uint64_t size = 0;
    struct FileCloser {
        std::FILE* f;
        ~FileCloser() {
            if (f && f != stdin) std::fclose(f);
        }
    } closer{nullptr};
    if (o.file != "-") {
        if (std::filesystem::is_directory(o.file)) throw UsageError(o.file + " is a directory");
        in = std::fopen(o.file.c_str(), "rb");
        if (!in) throw UsageError("cannot open " + o.file + ": " + std::strerror(errno));
        closer.f = in;
        struct stat st {};
        if (::fstat(::fileno(in), &st) == 0 && S_ISREG(st.st_mode)) size = static_cast<std::uint64_t>(st.st_size);
    }
    const std::string name = o.file == "-" ? "standard input" : o.file;
    LineReader lines(in, name);

    crm::Database target = open(o.database, "database");
    std::optional<crm::Restore> restore;
    std::string line;
    bool complete = false;
    std::optional<crm::DataCounts> declared, ended;
    Progress progress(size);
    auto failure_at = [&](std::uint64_t number, const std::string& why) {
        return DumpFailure(name + ":" + std::to_string(number) + ": " + why);
    };
    try {
        // The header: what wrote the dump, and whether this crmctl can read it.
        if (!lines.next(line, complete)) throw failure_at(1, "empty: not a dump");
        try {
            json header = parse_line(line, complete);
            if (!header.contains(header_key)) throw BadLine("not the header of a libcrm dump");
            Fields f(header[header_key], header_key);
            const auto& version = f.at("formatVersion");
            if (!version.is_number_integer() || version.get<long long>() != format_version)
                throw BadLine("format version " + version.dump() + ": this crmctl reads format version " +
                              std::to_string(format_version) + " (a newer crmctl wrote it?)");
            const auto& schema = f.at("schemaVersion");
            if (!schema.is_number_integer() || schema.get<long long>() < 0 ||
                schema.get<long long>() > crm::Database::latest_schema_version())
                throw BadLine("schema version " + schema.dump() + ": this crmctl knows schema versions up to " +
                              std::to_string(crm::Database::latest_schema_version()));
            (void)f.text("libcrmVersion");
            (void)f.text("backend");
            (void)f.timestamp("createdAt");
            declared = parse_counts(f);
            f.done();
        } catch (const BadLine& e) {
            throw failure_at(1, e.what());
        }
        restore.emplace(start_restore(target, o.database, o.merge));

        // The rows, then the end line with the counts.
        crm::DataCounts seen;
        while (lines.next(line, complete)) {
            try {
                if (ended) throw BadLine("after the end line: the file is not one dump");
                json record = parse_line(line, complete);
                const std::string kind = record.begin().key();
                const json& value = record.begin().value();
                if (kind == "user") {
                    restore->add(parse_user(value));
                    ++seen.users;
                } else if (kind == "lead") {
                    restore->add(parse_lead(value));
                    ++seen.leads;
                } else if (kind == "activity") {
                    restore->add(parse_activity(value));
                    ++seen.activities;
                } else if (kind == "end") {
                    Fields f(value, "end");
                    ended = parse_counts(f);
                    f.done();
                    if (*ended != seen)
                        throw BadLine("the end line counts " + counts_text(*ended) + " but the dump holds " +
                                      counts_text(seen));
                } else {
                    throw BadLine("unknown record \"" + kind + "\"");
                }
            } catch (const BadLine& e) {
                throw failure_at(lines.number(), e.what());
            } catch (const crm::Error& e) {
                // The row a refusal is about may be an earlier one (rows go in by batches):
                // row k of the dump is on line k + 2 (the header is line 1).
                auto row = restore->failed_row();
                throw failure_at(row ? *row + 2 : lines.number(), describe(e));
            }
            progress.update(lines.bytes(), total(seen));
        }
        if (!ended)
            throw DumpFailure(name + ": ends at line " + std::to_string(lines.number()) +
                              " without its end line: the dump is incomplete (cut short?)");
        if (*ended != *declared)
            throw DumpFailure(name + ": the header announces " + counts_text(*declared) + " but the dump holds " +
                              counts_text(*ended));
        crm::DataCounts restored;
        try {
            restored = restore->commit();
        } catch (const crm::Error& e) {
            auto row = restore->failed_row();
            if (row) throw failure_at(*row + 2, describe(e));
            throw;
        }
        progress.finish(lines.bytes(), total(restored));
        std::printf("restored %s (counts verified)\n", counts_text(restored).c_str());
        return ok;
    } catch (const DumpFailure& e) {
        restore.reset();  // rolls back what was written so far
        std::fprintf(stderr, "crmctl: %s\ncrmctl: nothing was restored: the database is as it was\n", e.what());
        return failure;
    } catch (const crm::Error& e) {
        restore.reset();
        std::fprintf(stderr, "crmctl: %s\ncrmctl: nothing was restored: the database is as it was\n",
                     describe(e).c_str());
        return failure;
    }
}

namespace {

int copy_with(const CopyOptions& o, bool node, const char* verb) {
    if (o.from.empty()) throw UsageError("--from is required");
    if (o.to.empty()) throw UsageError("--to is required");
    if (o.from == o.to) throw UsageError("--from and --to name the same database");
    crm::Database source = open(o.from, "from");
    if (node && source.backend() != crm::Backend::postgresql)
        throw UsageError("--from must be the Node backend's postgresql:// database");
    crm::Database target = open(o.to, "to");
    try {
        crm::Restore restore = start_restore(target, o.to, o.merge);
        RestoreSink sink(restore);
        if (node)
            crm::dump_node_backend(source, sink);
        else
            crm::dump(source, sink);
        crm::DataCounts copied = restore.commit();
        sink.finish();
        std::printf("%s %s (counts verified)\n", verb, counts_text(copied).c_str());
        if (node && copied.users > 0)
            std::printf("their passwords are unchanged: each bcrypt hash becomes Argon2id at its user's first login\n");
        return ok;
    } catch (const crm::Error& e) {
        std::fprintf(stderr, "crmctl: %s\ncrmctl: nothing was copied: %s is as it was\n", describe(e).c_str(),
                     redacted(o.to).c_str());
        return failure;
    }
}

}  // namespace

int copy(const CopyOptions& o) { return copy_with(o, false, "copied"); }

int adopt(const AdoptOptions& o) { return copy_with(o, true, "adopted"); }

const std::vector<CommandHelp>& help() {
    static const std::vector<CommandHelp> all{
        {"dump", "dump [--output FILE]",
         "Writes the whole CRM as JSON Lines: a header line (format version, schema version,\n"
         "libcrm version, row counts), every user with its password hash and role, every lead,\n"
         "every activity, with ids, timestamps, metadata and ownership exactly as stored, then an\n"
         "end line with the counts. Refresh tokens and login throttling counts are not dumped.\n"
         "The rows come from one consistent snapshot, read in chunks: memory stays flat whatever\n"
         "the size. A progress bar is drawn on stderr when it is a terminal.\n"
         "\n"
         "The dump holds password hashes: --output FILE (- or no --output: standard output) is\n"
         "created readable by its owner only (0600), and appears only once the dump is complete.\n"
         "\n"
         "exit codes: 0 done, 2 usage error, 3 failure (database, or the output could not be written).\n"},
        {"restore", "restore [--merge] FILE",
         "Writes a dump (FILE, or - for standard input) into a migrated database of either\n"
         "engine (crmctl --database URL migrate makes one). The target must be empty unless\n"
         "--merge is given; with --merge the rows are added, and an id or email already taken\n"
         "fails the restore.\n"
         "\n"
         "All or nothing: every row goes in within ONE transaction, in batches; the row counts are\n"
         "verified before it commits. A dump that is cut short, corrupted, or holds a row the\n"
         "database refuses is reported as FILE:LINE: REASON and nothing is kept: the database is\n"
         "as it was. Ctrl-C also leaves it as it was.\n"
         "\n"
         "exit codes: 0 restored and verified, 2 usage error (options, unreadable FILE), 3 nothing\n"
         "restored (bad dump, refused row, database failure).\n"},
        {"copy", "copy --from URL --to URL [--merge]",
         "dump from --from and restore into --to at once, without a file: same rules as restore\n"
         "(the target migrated and empty unless --merge; one transaction; counts verified).\n"
         "Moves a CRM between SQLite and PostgreSQL, either way.\n"
         "\n"
         "exit codes: 0 copied and verified, 2 usage error, 3 nothing copied.\n"},
        {"adopt", "adopt --from postgresql://... --to URL [--merge]",
         "Copies the users, leads and activities of a database made by the Node.js/Express/\n"
         "Sequelize backend (--from) into a libcrm database (--to), as copy does. Ids, timestamps\n"
         "and metadata are kept; emails are trimmed and lower-cased, a null name becomes the part\n"
         "of the email before @. Users keep their bcrypt password hashes: libcrm verifies them at\n"
         "login and replaces each with Argon2id at its user's first successful login, so nobody\n"
         "has to reset a password. Refresh tokens are not copied: everyone logs in again.\n"
         "\n"
         "exit codes: 0 adopted and verified, 2 usage error, 3 nothing adopted.\n"},
    };
    return all;
}

}  // namespace crmctl::portability
