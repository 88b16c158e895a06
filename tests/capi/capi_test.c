/*
 * The C ABI tests' support (capi_test.h): the harness, the fixture, and main(), which runs the
 * cases of the test file it is linked with.
 *
 * Needs CRM_TEST_DB_URL: a new, empty database (tests/capi/with-scratch-db.sh makes one on the
 * backend named by CRM_TEST_BACKEND). A file's cases share that database and run in order; each
 * creates the users it needs under its own email addresses. Prints "N passed, M failed" and exits
 * non-zero when anything failed.
 */
#include "capi_test.h"

#include <stdarg.h>

/* ---- A very small test harness ------------------------------------------------------------ */

static int passed, failed;
static const char *current_case = "";

void begin(const char *name) {
    current_case = name;
    printf("-- capi/%s\n", name);
}

static void report_failure(const char *file, int line, const char *format, ...) {
    va_list args;
    const crm_error *e = crm_error_last();
    ++failed;
    fprintf(stderr, "%s:%d: [capi/%s] ", file, line, current_case);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, "\n    last error: %s \"%s\"\n", crm_status_name(crm_error_code(e)) ? crm_status_name(crm_error_code(e)) : "?",
            crm_error_message(e));
}

int check(int ok, const char *expr, const char *file, int line) {
    if (ok) ++passed;
    else report_failure(file, line, "CHECK(%s) failed", expr);
    return ok;
}

int check_rc(int expected, int got, const char *call, const char *file, int line) {
    if (expected == got) {
        ++passed;
        return 1;
    }
    report_failure(file, line, "%s returned %s, expected %s", call, crm_status_name(got) ? crm_status_name(got) : "?",
                   crm_status_name(expected));
    return 0;
}

int same(const char *a, const char *b) { return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0); }

int check_str(const char *expected, const char *got, const char *expr, const char *file, int line) {
    if (same(expected, got)) {
        ++passed;
        return 1;
    }
    report_failure(file, line, "%s is \"%s\", expected \"%s\"", expr, got ? got : "(NULL)",
                   expected ? expected : "(NULL)");
    return 0;
}

/* The last error names this field (CRM_EINVALID) among its field errors. */
static int check_field(const char *field, const char *file, int line) {
    const crm_error *e = crm_error_last();
    size_t i, n = crm_error_field_count(e);
    for (i = 0; i < n; ++i)
        if (same(crm_error_field_name(e, i), field)) {
            ++passed;
            return 1;
        }
    report_failure(file, line, "the last error does not name field \"%s\"", field);
    return 0;
}

int check_invalid(const char *field, int got, const char *call, const char *file, int line) {
    return check_rc(CRM_EINVALID, got, call, file, line) && check_field(field, file, line);
}

/* ---- Fixture ------------------------------------------------------------------------------ */

crm_db *db;
crm_principal *sys;

void open_fixture(const char *url) {
    crm_db_options o = test_options();
    int rc = crm_db_open(&db, url, &o);
    if (rc == CRM_OK) rc = crm_db_migrate(db);
    if (rc == CRM_OK) rc = crm_principal_system(&sys);
    if (rc != CRM_OK) {
        fprintf(stderr, "cannot open and migrate %s: %s %s\n", url, crm_status_name(rc),
                crm_error_message(crm_error_last()));
        exit(1);
    }
}

/* Fast Argon2id (libsodium's minimum cost) and the test secret. */
crm_db_options test_options(void) {
    crm_db_options o = CRM_DB_OPTIONS_INIT;
    o.jwt_secret = SECRET;
    o.password_opslimit = 1;
    o.password_memlimit = 8192;
    o.pool_size = 4;
    o.max_queued_hashes = 16; /* test_threads logs in from several threads at once, on any number of cores */
    return o;
}

/* A user created by the system principal, with PASSWORD. */
crm_user *new_user(const char *email, crm_role_t role) {
    crm_user *u = NULL;
    if (!CHECK_RC(CRM_OK, crm_user_create(&u, db, sys, email, PASSWORD, NULL, role))) return NULL;
    return u;
}

/* Logs in and authenticates; the tokens are kept when `tokens` is not NULL. */
crm_principal *login_as(const char *email, const char *password, crm_tokens **tokens) {
    crm_tokens *t = NULL;
    crm_principal *p = NULL;
    if (!CHECK_RC(CRM_OK, crm_auth_login(&t, db, email, password))) return NULL;
    CHECK_RC(CRM_OK, crm_auth_authenticate(&p, db, crm_tokens_access_token(t)));
    if (tokens) *tokens = t;
    else crm_tokens_free(t);
    return p;
}

/* A lead with this title (and owner: "" = leave unset, NULL = unowned, else that id). */
crm_lead *new_lead(const crm_principal *actor, const char *title, const char *owner) {
    crm_lead_fields *f = NULL;
    crm_lead *lead = NULL;
    CHECK_RC(CRM_OK, crm_lead_fields_new(&f));
    CHECK_RC(CRM_OK, crm_lead_fields_set_title(f, title));
    if (!owner || *owner) CHECK_RC(CRM_OK, crm_lead_fields_set_owner_id(f, owner));
    CHECK_RC(CRM_OK, crm_lead_create(&lead, db, actor, f));
    crm_lead_fields_free(f);
    return lead;
}

/* `json` with every space and newline removed (PostgreSQL's jsonb writes spaces). */
void squeeze(char *json) {
    char *w = json;
    for (; *json; ++json)
        if (*json != ' ' && *json != '\n') *w++ = *json;
    *w = '\0';
}

int starts_with(const char *s, const char *prefix) { return s && strncmp(s, prefix, strlen(prefix)) == 0; }

int main(void) {
    const char *url = getenv("CRM_TEST_DB_URL");
    const char *backend = getenv("CRM_TEST_BACKEND");
    if (!backend || !*backend) backend = "sqlite";
    if (!url || !*url) {
        fprintf(stderr, "CRM_TEST_DB_URL is not set: run this program through tests/capi/with-scratch-db.sh\n");
        return 1;
    }
    if ((strcmp(backend, "postgresql") == 0) != starts_with(url, "postgresql:")) {
        fprintf(stderr, "CRM_TEST_DB_URL (%s) is not a %s database\n", url, backend);
        return 1;
    }
    printf("libcrm %s, backend %s\n", crm_version(), backend);

    run_cases(url, backend);

    crm_principal_free(sys);
    crm_db_free(db);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
