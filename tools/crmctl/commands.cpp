// crmctl's command table: names, options and help texts.
#include "commands.hpp"

namespace crmctl {

std::string Options::required(const std::string& name) const {
    auto it = named.find(name);
    if (it == named.end() || it->second.empty()) throw UsageError("--" + name + " is required");
    return it->second;
}

std::string Options::get(const std::string& name, const std::string& fallback) const {
    auto it = named.find(name);
    return it == named.end() ? fallback : it->second;
}

std::string describe(const crm::Error& e) {
    std::string out = e.what();
    for (const auto& f : e.field_errors()) {
        std::string line = f.field + " " + f.message;
        if (line != e.what()) out += "; " + line;
    }
    return out;
}

namespace {

constexpr const char* password_help =
    "The password is asked twice on the terminal, without echo. When standard input is not a\n"
    "terminal (or with --password-stdin) its first line is the password, so that scripts can pipe\n"
    "it in. There is no option to give it on the command line, where other users could read it.\n";

constexpr const char* import_help =
    "Imports leads from an RFC 4180 CSV file (- reads standard input). The first row names the\n"
    "columns, in any order:\n"
    "  title        required\n"
    "  description  free text\n"
    "  status       NEW (the default), CONTACTED, QUALIFIED or CLOSED\n"
    "  source       free text, at most 255 characters\n"
    "  ownerId      a user's id, or ownerEmail: a user's email (not both)\n"
    "  metadata     a JSON object\n"
    "  id, createdAt, updatedAt   ignored, so that an export-leads file imports back\n"
    "Any other column, or no title column, is a usage error (exit 2). Fields may be quoted, with\n"
    "commas, line breaks and doubled quotes inside; CRLF or LF line ends; a UTF-8 byte order mark\n"
    "is skipped. Values are kept verbatim (no trimming, no formula escaping). An empty cell is\n"
    "null (status: NEW; owner: none, or --owner-email's user); for description and source a\n"
    "quoted empty cell (\"\") is the empty string.\n"
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
    "While it runs, a progress bar (rows, rows/s, ETA) is drawn on stderr when stderr is a\n"
    "terminal. At the end, stdout lists each rejected row as FILE:LINE: REASON (LINE: the physical\n"
    "line where the record starts), in file order, then `imported N leads, rejected M rows`.\n"
    "\n"
    "options:\n"
    "  --batch-size N       rows per transaction, 1 to 100000 (default 1000)\n"
    "  --owner-email EMAIL  the owner of rows whose owner cell is empty or absent\n"
    "\n"
    "exit codes: 0 every row imported, 1 some rows rejected, 2 usage error (options, unreadable\n"
    "file, bad header), 3 the database failed.\n";

}  // namespace

const std::vector<Command>& commands() {
    static const std::vector<Command> all{
        {"migrate", "migrate",
         "Creates or upgrades the database schema; does nothing when it is up to date. Every\n"
         "other command needs a migrated database.\n",
         {}, {}, 0, migrate},
        {"create-user", "create-user --email EMAIL --role ADMIN|MANAGER|SALES [--name NAME] [--password-stdin]",
         std::string("Creates a user. NAME defaults to the part of EMAIL before the @.\n") + password_help,
         {"email", "role", "name"}, {"password-stdin"}, 0, create_user},
        {"set-role", "set-role --email EMAIL --role ADMIN|MANAGER|SALES",
         "Changes a user's role. The last ADMIN cannot be demoted (exit 3).\n", {"email", "role"}, {}, 0, set_role},
        {"reset-password", "reset-password --email EMAIL [--password-stdin]",
         std::string("Sets a user's password and revokes all their refresh tokens (their sessions end).\n") +
             password_help,
         {"email"}, {"password-stdin"}, 0, reset_password},
        {"list-users", "list-users [--format table|jsonl]",
         "Lists every user, oldest first: a table (default), or one JSON object per line with\n"
         "id, name, email, role, createdAt, updatedAt.\n",
         {"format"}, {}, 0, list_users},
        {"import-leads", "import-leads FILE.csv [--batch-size N] [--owner-email EMAIL]", import_help,
         {"batch-size", "owner-email"}, {}, 1, import_leads},
        {"export-leads", "export-leads [--format csv|jsonl] [--output FILE] [--raw]",
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
         "readable by its owner only (0600); a replaced one keeps its mode.\n",
         {"format", "output"}, {"raw"}, 0, export_leads},
    };
    return all;
}

}  // namespace crmctl
