/*
 * The C ABI from plain C99: every function of crm.h, successes and failures.
 *
 * Needs CRM_TEST_DB_URL: a new, empty database (tests/capi/with-scratch-db.sh makes one on the
 * backend named by CRM_TEST_BACKEND). The cases share that database and run in order; each
 * creates the users it needs under its own email addresses. Prints "N passed, M failed" and exits
 * non-zero when anything failed.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <crm.h>

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- A very small test harness ------------------------------------------------------------ */

static int passed, failed;
static const char *current_case = "";

static void begin(const char *name) {
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

static int check(int ok, const char *expr, const char *file, int line) {
    if (ok) ++passed;
    else report_failure(file, line, "CHECK(%s) failed", expr);
    return ok;
}

static int check_rc(int expected, int got, const char *call, const char *file, int line) {
    if (expected == got) {
        ++passed;
        return 1;
    }
    report_failure(file, line, "%s returned %s, expected %s", call, crm_status_name(got) ? crm_status_name(got) : "?",
                   crm_status_name(expected));
    return 0;
}

static int same(const char *a, const char *b) { return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0); }

static int check_str(const char *expected, const char *got, const char *expr, const char *file, int line) {
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

static int check_invalid(const char *field, int got, const char *call, const char *file, int line) {
    return check_rc(CRM_EINVALID, got, call, file, line) && check_field(field, file, line);
}

#define CHECK(expr) check(!!(expr), #expr, __FILE__, __LINE__)
#define CHECK_RC(expected, call) check_rc((expected), (call), #call, __FILE__, __LINE__)
#define CHECK_STR(expected, got) check_str((expected), (got), #got, __FILE__, __LINE__)
/* The call fails with CRM_EINVALID naming `field`. */
#define CHECK_INVALID(field, call) check_invalid((field), (call), #call, __FILE__, __LINE__)

/* ---- Fixture ------------------------------------------------------------------------------ */

#define SECRET "capi-test-secret-0123456789abcdef-0123456789"
#define PASSWORD "password123"

static crm_db *db;
static crm_principal *sys;

/* Fast Argon2id (libsodium's minimum cost) and the test secret. */
static crm_db_options test_options(void) {
    crm_db_options o = CRM_DB_OPTIONS_INIT;
    o.jwt_secret = SECRET;
    o.password_opslimit = 1;
    o.password_memlimit = 8192;
    o.pool_size = 4;
    o.max_queued_hashes = 16; /* test_threads logs in from several threads at once, on any number of cores */
    return o;
}

/* A user created by the system principal, with PASSWORD. */
static crm_user *new_user(const char *email, crm_role role) {
    crm_user *u = NULL;
    if (!CHECK_RC(CRM_OK, crm_user_create(&u, db, sys, email, PASSWORD, NULL, role))) return NULL;
    return u;
}

/* Logs in and authenticates; the tokens are kept when `tokens` is not NULL. */
static crm_principal *login_as(const char *email, const char *password, crm_tokens **tokens) {
    crm_tokens *t = NULL;
    crm_principal *p = NULL;
    if (!CHECK_RC(CRM_OK, crm_auth_login(&t, db, email, password))) return NULL;
    CHECK_RC(CRM_OK, crm_auth_authenticate(&p, db, crm_tokens_access_token(t)));
    if (tokens) *tokens = t;
    else crm_tokens_free(t);
    return p;
}

/* A lead with this title (and owner: "" = leave unset, NULL = unowned, else that id). */
static crm_lead *new_lead(const crm_principal *actor, const char *title, const char *owner) {
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
static void squeeze(char *json) {
    char *w = json;
    for (; *json; ++json)
        if (*json != ' ' && *json != '\n') *w++ = *json;
    *w = '\0';
}

static int starts_with(const char *s, const char *prefix) { return s && strncmp(s, prefix, strlen(prefix)) == 0; }

/* ---- Cases -------------------------------------------------------------------------------- */

static void test_version(void) {
    begin("version");
    CHECK_STR(CRM_VERSION_STRING, crm_version());
    CHECK(crm_version_number() == CRM_VERSION_NUMBER);
    CHECK(CRM_VERSION_NUMBER == CRM_VERSION_MAJOR * 1000000 + CRM_VERSION_MINOR * 1000 + CRM_VERSION_PATCH);
    /* The status values are frozen. */
    CHECK(CRM_OK == 0 && CRM_ENOTFOUND == -1 && CRM_ECONFLICT == -2 && CRM_EINVALID == -3 &&
          CRM_EUNAUTHORIZED == -4 && CRM_EFORBIDDEN == -5 && CRM_EUNAVAILABLE == -6 && CRM_EINTERNAL == -7 &&
          CRM_ENOMEM == -8 && CRM_ETHROTTLED == -9);
    CHECK_STR("CRM_OK", crm_status_name(CRM_OK));
    CHECK_STR("CRM_EFORBIDDEN", crm_status_name(CRM_EFORBIDDEN));
    CHECK_STR("CRM_ENOMEM", crm_status_name(CRM_ENOMEM));
    CHECK_STR(NULL, crm_status_name(1));
    CHECK_STR("CRM_ETHROTTLED", crm_status_name(CRM_ETHROTTLED));
    CHECK_STR(NULL, crm_status_name(-10));
}

static void test_enums(void) {
    crm_role role = CRM_ROLE_ADMIN;
    crm_lead_status status = CRM_LEAD_NEW;
    crm_activity_type type = CRM_ACTIVITY_NOTE;
    crm_jwt_algorithm alg = CRM_JWT_HS256;
    begin("enums");
    CHECK_STR("ADMIN", crm_role_name(CRM_ROLE_ADMIN));
    CHECK_STR("MANAGER", crm_role_name(CRM_ROLE_MANAGER));
    CHECK_STR("SALES", crm_role_name(CRM_ROLE_SALES));
    CHECK_STR(NULL, crm_role_name((crm_role)3));
    CHECK_STR(NULL, crm_role_name((crm_role)-1));
    CHECK_STR("NEW", crm_lead_status_name(CRM_LEAD_NEW));
    CHECK_STR("CONTACTED", crm_lead_status_name(CRM_LEAD_CONTACTED));
    CHECK_STR("QUALIFIED", crm_lead_status_name(CRM_LEAD_QUALIFIED));
    CHECK_STR("CLOSED", crm_lead_status_name(CRM_LEAD_CLOSED));
    CHECK_STR(NULL, crm_lead_status_name((crm_lead_status)4));
    CHECK_STR("NOTE", crm_activity_type_name(CRM_ACTIVITY_NOTE));
    CHECK_STR("CALL", crm_activity_type_name(CRM_ACTIVITY_CALL));
    CHECK_STR("EMAIL", crm_activity_type_name(CRM_ACTIVITY_EMAIL));
    CHECK_STR(NULL, crm_activity_type_name((crm_activity_type)99));
    CHECK_STR("HS256", crm_jwt_algorithm_name(CRM_JWT_HS256));
    CHECK_STR("HS384", crm_jwt_algorithm_name(CRM_JWT_HS384));
    CHECK_STR("HS512", crm_jwt_algorithm_name(CRM_JWT_HS512));
    CHECK_STR(NULL, crm_jwt_algorithm_name((crm_jwt_algorithm)3));

    CHECK_RC(CRM_OK, crm_role_parse(&role, "MANAGER"));
    CHECK(role == CRM_ROLE_MANAGER);
    CHECK_RC(CRM_OK, crm_lead_status_parse(&status, "QUALIFIED"));
    CHECK(status == CRM_LEAD_QUALIFIED);
    CHECK_RC(CRM_OK, crm_activity_type_parse(&type, "EMAIL"));
    CHECK(type == CRM_ACTIVITY_EMAIL);
    CHECK_RC(CRM_OK, crm_jwt_algorithm_parse(&alg, "HS512"));
    CHECK(alg == CRM_JWT_HS512);
    /* Exact wire names only. */
    CHECK_INVALID("name", crm_role_parse(&role, "manager"));
    CHECK(strstr(crm_error_message(crm_error_last()), "ADMIN, MANAGER, SALES") != NULL);
    CHECK_INVALID("name", crm_lead_status_parse(&status, ""));
    CHECK_INVALID("name", crm_activity_type_parse(&type, "MEETING"));
    CHECK_INVALID("name", crm_jwt_algorithm_parse(&alg, "none"));
    CHECK_INVALID("name", crm_role_parse(&role, NULL));
    CHECK_INVALID("name", crm_role_parse(&role, "ADMIN\xff"));
    CHECK_INVALID("out", crm_role_parse(NULL, "ADMIN"));
    CHECK(role == CRM_ROLE_MANAGER); /* untouched by the failures */
}

static void test_errors(void) {
    const crm_error *e;
    crm_role role;
    begin("errors");
    e = crm_error_last();
    CHECK(e != NULL);
    CHECK_RC(CRM_EINVALID, crm_role_parse(&role, "nope"));
    CHECK(crm_error_last() == e); /* one object per thread */
    CHECK(crm_error_code(e) == CRM_EINVALID);
    CHECK(strlen(crm_error_message(e)) > 0);
    CHECK(crm_error_field_count(e) == 1);
    CHECK_STR("name", crm_error_field_name(e, 0));
    CHECK(crm_error_field_message(e, 0) != NULL && strlen(crm_error_field_message(e, 0)) > 0);
    CHECK_STR(NULL, crm_error_field_name(e, 1));
    CHECK_STR(NULL, crm_error_field_message(e, 1));
    /* Getters, names and free functions leave the error alone. */
    CHECK_STR(NULL, crm_user_name(NULL));
    crm_user_free(NULL);
    crm_free(NULL);
    CHECK(crm_error_code(crm_error_last()) == CRM_EINVALID);
    /* A success clears it. */
    CHECK_RC(CRM_OK, crm_role_parse(&role, "SALES"));
    CHECK(crm_error_code(e) == CRM_OK);
    CHECK_STR("", crm_error_message(e));
    CHECK(crm_error_field_count(e) == 0);
    /* NULL error objects are tolerated. */
    CHECK(crm_error_code(NULL) == CRM_OK);
    CHECK_STR("", crm_error_message(NULL));
    CHECK(crm_error_field_count(NULL) == 0);
    CHECK_STR(NULL, crm_error_field_name(NULL, 0));
    CHECK_STR(NULL, crm_error_field_message(NULL, 0));
}

static void test_db_open(const char *url, const char *backend) {
    crm_db_options o, init = CRM_DB_OPTIONS_INIT;
    crm_db *other = (crm_db *)&o; /* any non-NULL value: a failing open must reset it */
    int version = -1;
    begin("db/open");
    CHECK_RC(CRM_OK, crm_db_options_init(&o, CRM_DB_OPTIONS_VERSION));
    /* The init function (filled from the C++ defaults) and the header's macro agree field by field. */
    CHECK(o.version == CRM_DB_OPTIONS_VERSION && o.version == init.version);
    CHECK(o.pool_size == init.pool_size && o.lease_timeout_ms == init.lease_timeout_ms && o.jwt_secret == NULL);
    CHECK(o.jwt_algorithm == init.jwt_algorithm && o.access_token_ttl_s == init.access_token_ttl_s);
    CHECK(o.refresh_token_ttl_s == init.refresh_token_ttl_s && o.leeway_s == init.leeway_s);
    CHECK(o.password_opslimit == init.password_opslimit && o.password_memlimit == init.password_memlimit);
    CHECK(o.max_concurrent_hashes == init.max_concurrent_hashes && o.max_queued_hashes == init.max_queued_hashes);
    CHECK(o.login_max_failures == init.login_max_failures && o.login_window_s == init.login_window_s);
    CHECK(o.lease_timeout_ms == 10000 && o.access_token_ttl_s == 900 && o.login_max_failures == 10);
    CHECK_INVALID("opts", crm_db_options_init(NULL, CRM_DB_OPTIONS_VERSION));
    CHECK_INVALID("version", crm_db_options_init(&o, 0));
    CHECK_INVALID("version", crm_db_options_init(&o, CRM_DB_OPTIONS_VERSION + 1));
    {
        /* A version-1 caller's struct is shorter: init writes nothing past its fields, and open
         * reads nothing past them (the bytes there are garbage that would be refused if read). */
        size_t v1_size = offsetof(crm_db_options, max_queued_hashes);
        union {
            crm_db_options options;
            unsigned char bytes[sizeof(crm_db_options)];
        } v1;
        crm_db *old_caller = NULL;
        size_t i, untouched = 0;
        memset(v1.bytes, 0xAB, sizeof v1.bytes);
        CHECK_RC(CRM_OK, crm_db_options_init(&v1.options, 1));
        CHECK(v1.options.version == 1 && v1.options.access_token_ttl_s == 900);
        for (i = v1_size; i < sizeof v1.bytes; ++i) untouched += v1.bytes[i] == 0xAB;
        CHECK(untouched == sizeof v1.bytes - v1_size);
        v1.options.jwt_secret = test_options().jwt_secret;
        CHECK_RC(CRM_OK, crm_db_open(&old_caller, url, &v1.options));
        crm_db_free(old_caller);
    }

    o = test_options();
    CHECK_INVALID("out", crm_db_open(NULL, url, &o));
    CHECK_INVALID("url", crm_db_open(&other, NULL, &o));
    CHECK(other == NULL);
    CHECK_INVALID("url", crm_db_open(&other, "sqlite:/tmp/\xc3\x28.db", &o));
    /* No secret (the defaults, or ""): a database without tokens, see test_no_secret(). */
    CHECK_RC(CRM_OK, crm_db_open(&other, url, NULL));
    crm_db_free(other);
    other = NULL;
    o.jwt_secret = "too short";
    CHECK_INVALID("jwtSecret", crm_db_open(&other, url, &o));
    o.jwt_secret = SECRET "\xff";
    CHECK_INVALID("opts.jwt_secret", crm_db_open(&other, url, &o));
    o = test_options();
    o.version = 0;
    CHECK_INVALID("opts.version", crm_db_open(&other, url, &o));
    o.version = CRM_DB_OPTIONS_VERSION + 1;
    CHECK_INVALID("opts.version", crm_db_open(&other, url, &o));
    o = test_options();
    o.jwt_algorithm = (crm_jwt_algorithm)7;
    CHECK_INVALID("opts.jwt_algorithm", crm_db_open(&other, url, &o));
    o = test_options();
    o.access_token_ttl_s = 0;
    CHECK_RC(CRM_EINVALID, crm_db_open(&other, url, &o));
    o = test_options();
    CHECK_INVALID("url", crm_db_open(&other, "mysql://localhost/crm", &o));
    o.lease_timeout_ms = 200;
    CHECK_RC(CRM_EUNAVAILABLE, crm_db_open(&other, "postgresql://crm:crm@127.0.0.1:1/nothing", &o));
    CHECK(other == NULL);

    o = test_options();
    if (!CHECK_RC(CRM_OK, crm_db_open(&db, url, &o))) {
        fprintf(stderr, "cannot open %s: giving up\n", url);
        exit(1);
    }
    CHECK(crm_db_backend(db) == (strcmp(backend, "postgresql") == 0 ? CRM_BACKEND_POSTGRESQL : CRM_BACKEND_SQLITE));
    CHECK(crm_db_backend(NULL) == CRM_BACKEND_INVALID);
    CHECK_RC(CRM_OK, crm_db_schema_version(&version, db));
    CHECK(version == 0);
    CHECK_RC(CRM_OK, crm_db_migrate(db));
    CHECK_RC(CRM_OK, crm_db_schema_version(&version, db));
    CHECK(version == crm_db_latest_schema_version() && version > 0);
    CHECK_RC(CRM_OK, crm_db_migrate(db)); /* idempotent */
    CHECK_RC(CRM_OK, crm_db_ping(db));
    CHECK_INVALID("db", crm_db_migrate(NULL));
    CHECK_INVALID("db", crm_db_ping(NULL));
    CHECK_INVALID("db", crm_db_schema_version(&version, NULL));
    CHECK_INVALID("out", crm_db_schema_version(NULL, db));
    crm_db_free(NULL);
}

static void test_system_principal(void) {
    begin("principal/system");
    CHECK_INVALID("out", crm_principal_system(NULL));
    CHECK_RC(CRM_OK, crm_principal_system(&sys));
    CHECK(crm_principal_is_system(sys) == 1);
    CHECK(crm_principal_role(sys) == CRM_ROLE_ADMIN);
    CHECK_STR(NULL, crm_principal_user_id(sys));
    CHECK(crm_principal_is_system(NULL) == 0);
    CHECK(crm_principal_role(NULL) == CRM_ROLE_INVALID);
    CHECK_STR(NULL, crm_principal_user_id(NULL));
    /* The system principal is nobody: it has no "me". */
    {
        crm_user *me = NULL;
        CHECK_RC(CRM_ENOTFOUND, crm_auth_me(&me, db, sys));
        CHECK(me == NULL);
    }
    crm_principal_free(NULL);
}

static void test_users_create(void) {
    crm_user *admin = NULL, *u = NULL;
    char *json = NULL, expected[512];
    begin("users/create");
    CHECK_RC(CRM_OK, crm_user_create(&admin, db, sys, "  Admin@Example.COM ", PASSWORD, "The Admin", CRM_ROLE_ADMIN));
    CHECK_STR("admin@example.com", crm_user_email(admin));
    CHECK_STR("The Admin", crm_user_name(admin));
    CHECK(crm_user_role(admin) == CRM_ROLE_ADMIN);
    CHECK(strlen(crm_user_id(admin)) == 36);
    CHECK(strlen(crm_user_created_at(admin)) == 24 && crm_user_created_at(admin)[23] == 'Z');
    CHECK_STR(crm_user_created_at(admin), crm_user_updated_at(admin));
    CHECK(crm_user_created_at_ms(admin) > 1600000000000LL);
    CHECK(crm_user_created_at_ms(admin) == crm_user_updated_at_ms(admin));

    CHECK_RC(CRM_OK, crm_user_to_json(&json, admin));
    sprintf(expected,
            "{\"id\":\"%s\",\"name\":\"The Admin\",\"email\":\"admin@example.com\",\"role\":\"ADMIN\","
            "\"createdAt\":\"%s\",\"updatedAt\":\"%s\"}",
            crm_user_id(admin), crm_user_created_at(admin), crm_user_updated_at(admin));
    CHECK_STR(expected, json);
    CHECK(strstr(json, "password") == NULL);
    crm_free(json);
    CHECK_INVALID("out", crm_user_to_json(NULL, admin));
    json = (char *)&json;
    CHECK_INVALID("user", crm_user_to_json(&json, NULL));
    CHECK(json == NULL);

    /* The name defaults to the part of the email before '@'. */
    CHECK_RC(CRM_OK, crm_user_create(&u, db, sys, "carol@example.com", PASSWORD, NULL, CRM_ROLE_SALES));
    CHECK_STR("carol", crm_user_name(u));
    CHECK(crm_user_role(u) == CRM_ROLE_SALES);
    crm_user_free(u);
    u = NULL;

    CHECK_RC(CRM_ECONFLICT, crm_user_create(&u, db, sys, "ADMIN@example.com", PASSWORD, NULL, CRM_ROLE_SALES));
    CHECK(u == NULL);
    CHECK_INVALID("email", crm_user_create(&u, db, sys, "not-an-email", PASSWORD, NULL, CRM_ROLE_SALES));
    CHECK_INVALID("password", crm_user_create(&u, db, sys, "short@example.com", "short", NULL, CRM_ROLE_SALES));
    CHECK_INVALID("role", crm_user_create(&u, db, sys, "role@example.com", PASSWORD, NULL, (crm_role)3));
    CHECK_INVALID("name", crm_user_create(&u, db, sys, "utf@example.com", PASSWORD, "\xc3", CRM_ROLE_SALES));
    CHECK_INVALID("email", crm_user_create(&u, db, sys, NULL, PASSWORD, NULL, CRM_ROLE_SALES));
    CHECK_INVALID("password", crm_user_create(&u, db, sys, "nopw@example.com", NULL, NULL, CRM_ROLE_SALES));
    CHECK_INVALID("actor", crm_user_create(&u, db, NULL, "x@example.com", PASSWORD, NULL, CRM_ROLE_SALES));
    CHECK_INVALID("db", crm_user_create(&u, NULL, sys, "x@example.com", PASSWORD, NULL, CRM_ROLE_SALES));
    CHECK_INVALID("out", crm_user_create(NULL, db, sys, "x@example.com", PASSWORD, NULL, CRM_ROLE_SALES));
    crm_user_free(admin);
}

static void test_register_login(void) {
    crm_tokens *t = NULL, *t2 = NULL;
    const crm_user *u;
    char *json = NULL;
    begin("auth/register-login");
    CHECK_RC(CRM_OK, crm_auth_register(&t, db, "Dave@Example.com", PASSWORD, "Dave"));
    u = crm_tokens_user(t);
    CHECK(u != NULL);
    CHECK(crm_user_role(u) == CRM_ROLE_SALES); /* registration is always SALES */
    CHECK_STR("dave@example.com", crm_user_email(u));
    CHECK_STR("Dave", crm_user_name(u));
    CHECK(strlen(crm_tokens_access_token(t)) > 20);
    CHECK(strlen(crm_tokens_refresh_token(t)) >= 43);
    CHECK_RC(CRM_OK, crm_tokens_to_json(&json, t));
    CHECK(starts_with(json, "{\"user\":{\"id\":"));
    CHECK(strstr(json, "\"accessToken\":\"") != NULL && strstr(json, "\"refreshToken\":\"") != NULL);
    crm_free(json);
    crm_tokens_free(t);
    t = NULL;

    CHECK_RC(CRM_OK, crm_auth_register(&t, db, "erin@example.com", PASSWORD, NULL));
    CHECK_STR("erin", crm_user_name(crm_tokens_user(t)));
    crm_tokens_free(t);
    t = NULL;
    CHECK_RC(CRM_ECONFLICT, crm_auth_register(&t, db, "DAVE@example.com", PASSWORD, NULL));
    CHECK(t == NULL);
    CHECK_INVALID("password", crm_auth_register(&t, db, "frank@example.com", "1234567", NULL));
    CHECK_INVALID("email", crm_auth_register(&t, db, "frank", PASSWORD, NULL));
    CHECK_INVALID("email", crm_auth_register(&t, db, NULL, PASSWORD, NULL));
    CHECK_INVALID("name", crm_auth_register(&t, db, "frank@example.com", PASSWORD, "\xed\xa0\x80"));
    CHECK_INVALID("db", crm_auth_register(&t, NULL, "frank@example.com", PASSWORD, NULL));
    CHECK_INVALID("out", crm_auth_register(NULL, db, "frank@example.com", PASSWORD, NULL));

    CHECK_RC(CRM_OK, crm_auth_login(&t, db, " DAVE@example.com", PASSWORD));
    CHECK_STR("dave@example.com", crm_user_email(crm_tokens_user(t)));
    /* Unknown email and wrong password look the same. */
    CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_login(&t2, db, "dave@example.com", "wrong-password"));
    {
        char first[256];
        strncpy(first, crm_error_message(crm_error_last()), sizeof first - 1);
        first[sizeof first - 1] = '\0';
        CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_login(&t2, db, "nobody@example.com", PASSWORD));
        CHECK_STR(first, crm_error_message(crm_error_last()));
    }
    CHECK(t2 == NULL);
    CHECK_INVALID("password", crm_auth_login(&t2, db, "dave@example.com", "pass\xffword"));
    CHECK_INVALID("email", crm_auth_login(&t2, db, NULL, PASSWORD));
    CHECK_INVALID("password", crm_auth_login(&t2, db, "dave@example.com", NULL));
    CHECK_INVALID("out", crm_auth_login(NULL, db, "dave@example.com", PASSWORD));
    crm_tokens_free(t);
    crm_tokens_free(NULL);
}

/* A crm_db opened without a jwt_secret (NULL or ""), on the same database: everything works but
 * the token operations, which are CRM_EINVALID on "jwtSecret" before anything is done. */
static void test_no_secret(const char *url) {
    const char *secrets[] = {NULL, ""};
    size_t i;
    begin("auth/no-secret");
    for (i = 0; i < sizeof secrets / sizeof secrets[0]; ++i) {
        crm_db_options o = test_options();
        crm_db *plain = NULL;
        crm_tokens *t = NULL;
        crm_principal *p = NULL;
        crm_user *u = NULL;
        crm_user_page *page = NULL;
        o.jwt_secret = secrets[i];
        if (!CHECK_RC(CRM_OK, crm_db_open(&plain, url, &o))) continue;
        CHECK_RC(CRM_OK, crm_user_create(&u, plain, sys, i ? "nosecret1@example.com" : "nosecret0@example.com",
                                         PASSWORD, NULL, CRM_ROLE_SALES));
        crm_user_free(u);
        CHECK_RC(CRM_OK, crm_user_list(&page, plain, sys, 1, 10));
        crm_user_page_free(page);
        /* Right and wrong passwords alike: no token operation gets as far as the password. */
        CHECK_INVALID("jwtSecret", crm_auth_login(&t, plain, "dave@example.com", PASSWORD));
        CHECK_STR("jwtSecret is required to issue or verify tokens (none was configured)",
                  crm_error_message(crm_error_last()));
        CHECK_INVALID("jwtSecret", crm_auth_login_from(&t, plain, "dave@example.com", "wrong-password", "10.0.0.1"));
        CHECK_INVALID("jwtSecret", crm_auth_register(&t, plain, "nosecret@example.com", PASSWORD, NULL));
        CHECK_INVALID("jwtSecret", crm_auth_refresh(&t, plain, "a-refresh-token"));
        CHECK_INVALID("jwtSecret", crm_auth_authenticate(&p, plain, "a.b.c"));
        CHECK(t == NULL && p == NULL);
        CHECK_RC(CRM_OK, crm_auth_logout(plain, "a-refresh-token")); /* unknown tokens are ignored */
        crm_db_free(plain);
    }
    /* The refused registration created nobody; the main handle still logs in. */
    {
        crm_tokens *t = NULL;
        CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_login(&t, db, "nosecret@example.com", PASSWORD));
        CHECK_RC(CRM_OK, crm_auth_login(&t, db, "nosecret0@example.com", PASSWORD));
        crm_tokens_free(t);
    }
}

/* Login throttling: its own crm_db on the same database with a limit of 3. */
static void test_throttle(const char *url) {
    crm_db_options o = test_options();
    crm_db *tdb = NULL;
    crm_tokens *t = NULL;
    int i;
    char first[256];
    begin("auth/throttle");
    o.login_window_s = 0;
    CHECK_INVALID("loginWindow", crm_db_open(&tdb, url, &o));
    o = test_options();
    o.max_queued_hashes = -2;
    CHECK_INVALID("opts.max_queued_hashes", crm_db_open(&tdb, url, &o));
    o = test_options();
    o.login_max_failures = 3;
    o.login_window_s = 900;
    if (!CHECK_RC(CRM_OK, crm_db_open(&tdb, url, &o))) return;
    CHECK_RC(CRM_OK, crm_auth_register(&t, tdb, "tess@example.com", PASSWORD, NULL));
    crm_tokens_free(t);
    t = NULL;
    for (i = 0; i < 3; ++i) {
        CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_login_from(&t, tdb, "tess@example.com", "wrong-password", "192.0.2.1"));
        CHECK(crm_error_retry_after(crm_error_last()) == 0);
    }
    /* The 4th attempt, right password included, is throttled and says when to come back. */
    CHECK_RC(CRM_ETHROTTLED, crm_auth_login_from(&t, tdb, "tess@example.com", PASSWORD, "192.0.2.1"));
    CHECK(t == NULL);
    CHECK(crm_error_retry_after(crm_error_last()) >= 1 && crm_error_retry_after(crm_error_last()) <= 900);
    strncpy(first, crm_error_message(crm_error_last()), sizeof first - 1);
    first[sizeof first - 1] = '\0';
    /* Counted per email: without an address, and from elsewhere, alike. */
    CHECK_RC(CRM_ETHROTTLED, crm_auth_login(&t, tdb, "tess@example.com", PASSWORD));
    CHECK_RC(CRM_ETHROTTLED, crm_auth_login_from(&t, tdb, "tess@example.com", PASSWORD, NULL));
    /* An unknown email is throttled exactly like a real one. */
    for (i = 0; i < 3; ++i)
        CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_login_from(&t, tdb, "nobody-t@example.com", PASSWORD, "192.0.2.2"));
    CHECK_RC(CRM_ETHROTTLED, crm_auth_login_from(&t, tdb, "nobody-t@example.com", PASSWORD, "192.0.2.3"));
    CHECK_STR(first, crm_error_message(crm_error_last()));
    /* The addresses 192.0.2.1 and .2 are throttled for any email too; .4 is not. */
    CHECK_RC(CRM_ETHROTTLED, crm_auth_login_from(&t, tdb, "dave@example.com", PASSWORD, "192.0.2.1"));
    CHECK_RC(CRM_OK, crm_auth_login_from(&t, tdb, "dave@example.com", PASSWORD, "192.0.2.4"));
    CHECK(crm_error_retry_after(crm_error_last()) == 0);
    crm_tokens_free(t);
    t = NULL;
    CHECK_INVALID("client_address", crm_auth_login_from(&t, tdb, "dave@example.com", PASSWORD, "\xff"));
    CHECK_INVALID("out", crm_auth_login_from(NULL, tdb, "dave@example.com", PASSWORD, "192.0.2.4"));
    CHECK(crm_error_retry_after(NULL) == 0);
    crm_db_free(tdb);
    /* The counts live in the database: a new handle (a restarted process) sees them. */
    tdb = NULL;
    if (!CHECK_RC(CRM_OK, crm_db_open(&tdb, url, &o))) return;
    CHECK_RC(CRM_ETHROTTLED, crm_auth_login(&t, tdb, "tess@example.com", PASSWORD));
    crm_db_free(tdb);
}

static void test_authenticate(const char *url) {
    crm_tokens *t = NULL;
    crm_principal *p = NULL;
    crm_user *me = NULL;
    crm_db *other = NULL;
    crm_db_options o;
    begin("auth/authenticate");
    CHECK_RC(CRM_OK, crm_auth_login(&t, db, "dave@example.com", PASSWORD));
    CHECK_RC(CRM_OK, crm_auth_authenticate(&p, db, crm_tokens_access_token(t)));
    CHECK_STR(crm_user_id(crm_tokens_user(t)), crm_principal_user_id(p));
    CHECK(crm_principal_role(p) == CRM_ROLE_SALES);
    CHECK(crm_principal_is_system(p) == 0);
    CHECK_RC(CRM_OK, crm_auth_me(&me, db, p));
    CHECK_STR("dave@example.com", crm_user_email(me));
    crm_user_free(me);
    me = NULL;
    CHECK_INVALID("actor", crm_auth_me(&me, db, NULL));
    CHECK_INVALID("out", crm_auth_me(NULL, db, p));
    crm_principal_free(p);
    p = (crm_principal *)&p;

    CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_authenticate(&p, db, "not.a.token"));
    CHECK(p == NULL);
    CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_authenticate(&p, db, ""));
    CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_authenticate(&p, db, crm_tokens_refresh_token(t)));
    CHECK_INVALID("access_token", crm_auth_authenticate(&p, db, NULL));
    CHECK_INVALID("access_token", crm_auth_authenticate(&p, db, "\xf4\x90\x80\x80"));
    CHECK_INVALID("out", crm_auth_authenticate(NULL, db, crm_tokens_access_token(t)));
    crm_tokens_free(t);
    t = NULL;

    /* A token signed with another key or algorithm is refused. */
    o = test_options();
    o.jwt_secret = "another-secret-of-at-least-32-bytes-0000";
    o.jwt_algorithm = CRM_JWT_HS384;
    o.pool_size = 2;
    CHECK_RC(CRM_OK, crm_db_open(&other, url, &o));
    CHECK_RC(CRM_OK, crm_auth_login(&t, other, "dave@example.com", PASSWORD));
    CHECK_RC(CRM_OK, crm_auth_authenticate(&p, other, crm_tokens_access_token(t)));
    crm_principal_free(p);
    p = NULL;
    CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_authenticate(&p, db, crm_tokens_access_token(t)));
    crm_db_free(other);
    /* Handles outlive the database handle they came from. */
    CHECK_STR("dave@example.com", crm_user_email(crm_tokens_user(t)));
    crm_tokens_free(t);
}

static void test_refresh(void) {
    crm_tokens *t1 = NULL, *t2 = NULL, *t3 = NULL, *bad = NULL;
    char *json = NULL;
    begin("auth/refresh");
    CHECK_RC(CRM_OK, crm_auth_login(&t1, db, "erin@example.com", PASSWORD));
    CHECK_RC(CRM_OK, crm_auth_refresh(&t2, db, crm_tokens_refresh_token(t1)));
    CHECK(crm_tokens_user(t2) == NULL);
    CHECK(!same(crm_tokens_refresh_token(t1), crm_tokens_refresh_token(t2)));
    CHECK(strlen(crm_tokens_access_token(t2)) > 20);
    CHECK_RC(CRM_OK, crm_tokens_to_json(&json, t2));
    CHECK(starts_with(json, "{\"accessToken\":\""));
    crm_free(json);
    /* The spent token again: theft. Refused, and the whole family is revoked. */
    CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_refresh(&bad, db, crm_tokens_refresh_token(t1)));
    CHECK(bad == NULL);
    CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_refresh(&bad, db, crm_tokens_refresh_token(t2)));

    /* Logout revokes one token; an unknown token is fine. */
    CHECK_RC(CRM_OK, crm_auth_login(&t3, db, "erin@example.com", PASSWORD));
    CHECK_RC(CRM_OK, crm_auth_logout(db, crm_tokens_refresh_token(t3)));
    CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_refresh(&bad, db, crm_tokens_refresh_token(t3)));
    CHECK_RC(CRM_OK, crm_auth_logout(db, "no-such-token"));
    CHECK_RC(CRM_OK, crm_auth_logout(db, ""));
    CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_refresh(&bad, db, ""));
    CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_refresh(&bad, db, "no-such-token"));
    CHECK_INVALID("refresh_token", crm_auth_refresh(&bad, db, NULL));
    CHECK_INVALID("refresh_token", crm_auth_logout(db, NULL));
    CHECK_INVALID("refresh_token", crm_auth_logout(db, "\x80"));
    CHECK_INVALID("db", crm_auth_logout(NULL, "x"));
    CHECK_INVALID("out", crm_auth_refresh(NULL, db, "x"));
    crm_tokens_free(t1);
    crm_tokens_free(t2);
    crm_tokens_free(t3);
}

static void test_users_scope(void) {
    crm_user *manager = new_user("mia@example.com", CRM_ROLE_MANAGER);
    crm_user *s1 = new_user("sam@example.com", CRM_ROLE_SALES);
    crm_user *s2 = new_user("sue@example.com", CRM_ROLE_SALES);
    crm_principal *admin_p = login_as("admin@example.com", PASSWORD, NULL);
    crm_principal *mgr_p = login_as("mia@example.com", PASSWORD, NULL);
    crm_principal *s1_p = login_as("sam@example.com", PASSWORD, NULL);
    crm_user_page *page = NULL;
    crm_user *u = NULL;
    int64_t total, pages, i, seen = 0;
    char upper[37];
    char *json = NULL;
    const char *missing = "00000000-0000-7000-8000-000000000000";
    begin("users/scope");

    /* Listing is for ADMIN (and the system principal). */
    CHECK_RC(CRM_OK, crm_user_list(&page, db, sys, 1, CRM_PAGE_DEFAULT_LIMIT));
    crm_user_page_free(page);
    CHECK_RC(CRM_OK, crm_user_list(&page, db, admin_p, 1, 2));
    total = crm_user_page_total(page);
    pages = crm_user_page_total_pages(page);
    CHECK(total >= 7);
    CHECK(pages == (total + 1) / 2);
    CHECK(crm_user_page_number(page) == 1 && crm_user_page_limit(page) == 2);
    CHECK(crm_user_page_count(page) == 2);
    CHECK(crm_user_page_at(page, 0) != NULL && crm_user_page_at(page, 2) == NULL);
    CHECK_STR("admin@example.com", crm_user_email(crm_user_page_at(page, 0))); /* oldest first */
    CHECK_RC(CRM_OK, crm_user_page_to_json(&json, page));
    CHECK(starts_with(json, "{\"data\":[{\"id\":"));
    CHECK(strstr(json, "\"pagination\":{\"page\":1,\"limit\":2,\"total\":") != NULL);
    crm_free(json);
    crm_user_page_free(page);
    for (i = 1; i <= pages; ++i) {
        page = NULL;
        CHECK_RC(CRM_OK, crm_user_list(&page, db, admin_p, i, 2));
        seen += (int64_t)crm_user_page_count(page);
        crm_user_page_free(page);
    }
    CHECK(seen == total);
    page = NULL;
    CHECK_RC(CRM_OK, crm_user_list(&page, db, admin_p, pages + 1, 2));
    CHECK(crm_user_page_count(page) == 0 && crm_user_page_total(page) == total);
    crm_user_page_free(page);
    page = NULL;
    CHECK_RC(CRM_EFORBIDDEN, crm_user_list(&page, db, mgr_p, 1, 20));
    CHECK_RC(CRM_EFORBIDDEN, crm_user_list(&page, db, s1_p, 1, 20));
    CHECK(page == NULL);
    CHECK_INVALID("page", crm_user_list(&page, db, admin_p, 0, 20));
    CHECK_INVALID("limit", crm_user_list(&page, db, admin_p, 1, 0));
    CHECK_INVALID("limit", crm_user_list(&page, db, admin_p, 1, CRM_PAGE_MAX_LIMIT + 1));
    CHECK_INVALID("actor", crm_user_list(&page, db, NULL, 1, 20));
    CHECK_INVALID("out", crm_user_list(NULL, db, admin_p, 1, 20));

    /* Reading: SALES only themselves, MANAGER anyone. */
    CHECK_RC(CRM_OK, crm_user_get(&u, db, s1_p, crm_user_id(s1)));
    CHECK_STR("sam@example.com", crm_user_email(u));
    crm_user_free(u);
    u = NULL;
    CHECK_RC(CRM_EFORBIDDEN, crm_user_get(&u, db, s1_p, crm_user_id(s2)));
    CHECK(u == NULL);
    CHECK_RC(CRM_OK, crm_user_get(&u, db, mgr_p, crm_user_id(s2)));
    crm_user_free(u);
    u = NULL;
    CHECK_RC(CRM_ENOTFOUND, crm_user_get(&u, db, admin_p, missing));
    CHECK_INVALID("id", crm_user_get(&u, db, admin_p, "not-a-uuid"));
    CHECK_INVALID("id", crm_user_get(&u, db, admin_p, NULL));
    /* An upper-case id means the same user; ids come back in lower case. */
    for (i = 0; i < 36; ++i) {
        char c = crm_user_id(s2)[i];
        upper[i] = (char)(c >= 'a' && c <= 'f' ? c - 32 : c);
    }
    upper[36] = '\0';
    CHECK_RC(CRM_OK, crm_user_get(&u, db, admin_p, upper));
    CHECK_STR(crm_user_id(s2), crm_user_id(u));
    crm_user_free(u);
    u = NULL;

    /* Updating. */
    {
        crm_user_fields *f = NULL;
        CHECK_INVALID("out", crm_user_fields_new(NULL));
        CHECK_RC(CRM_OK, crm_user_fields_new(&f));
        CHECK_RC(CRM_OK, crm_user_fields_set_name(f, "Samuel"));
        CHECK_RC(CRM_OK, crm_user_update(&u, db, s1_p, crm_user_id(s1), f));
        CHECK_STR("Samuel", crm_user_name(u));
        CHECK_STR("sam@example.com", crm_user_email(u)); /* left as is */
        CHECK(crm_user_role(u) == CRM_ROLE_SALES);
        CHECK(crm_user_updated_at_ms(u) >= crm_user_created_at_ms(u));
        crm_user_free(u);
        u = NULL;
        CHECK_RC(CRM_EFORBIDDEN, crm_user_update(&u, db, s1_p, crm_user_id(s2), f));
        CHECK_RC(CRM_EFORBIDDEN, crm_user_update(&u, db, mgr_p, crm_user_id(s1), f));
        CHECK(u == NULL);
        CHECK_RC(CRM_ENOTFOUND, crm_user_update(&u, db, admin_p, missing, f));
        CHECK_INVALID("id", crm_user_update(&u, db, admin_p, "123", f));
        CHECK_INVALID("changes", crm_user_update(&u, db, admin_p, crm_user_id(s1), NULL));
        CHECK_INVALID("name", crm_user_fields_set_name(f, NULL));
        CHECK_INVALID("email", crm_user_fields_set_email(f, "\xc0\xaf"));
        CHECK_INVALID("role", crm_user_fields_set_role(f, (crm_role)-1));
        CHECK_INVALID("fields", crm_user_fields_set_name(NULL, "x"));
        CHECK_INVALID("fields", crm_user_fields_set_email(NULL, "x@example.com"));
        CHECK_INVALID("fields", crm_user_fields_set_role(NULL, CRM_ROLE_SALES));
        CHECK_INVALID("fields", crm_user_fields_set_password(NULL, PASSWORD, NULL));
        crm_user_fields_free(f);

        /* A blank name is the core's to refuse. */
        f = NULL;
        CHECK_RC(CRM_OK, crm_user_fields_new(&f));
        CHECK_RC(CRM_OK, crm_user_fields_set_name(f, "   "));
        CHECK_INVALID("name", crm_user_update(&u, db, s1_p, crm_user_id(s1), f));
        crm_user_fields_free(f);

        /* Only ADMIN changes roles. */
        f = NULL;
        CHECK_RC(CRM_OK, crm_user_fields_new(&f));
        CHECK_RC(CRM_OK, crm_user_fields_set_role(f, CRM_ROLE_MANAGER));
        CHECK_RC(CRM_EFORBIDDEN, crm_user_update(&u, db, s1_p, crm_user_id(s1), f));
        CHECK_RC(CRM_OK, crm_user_update(&u, db, admin_p, crm_user_id(s2), f));
        CHECK(crm_user_role(u) == CRM_ROLE_MANAGER);
        crm_user_free(u);
        u = NULL;
        crm_user_fields_free(f);

        /* Emails stay unique. */
        f = NULL;
        CHECK_RC(CRM_OK, crm_user_fields_new(&f));
        CHECK_RC(CRM_OK, crm_user_fields_set_email(f, "MIA@example.com"));
        CHECK_RC(CRM_ECONFLICT, crm_user_update(&u, db, admin_p, crm_user_id(s2), f));
        CHECK_RC(CRM_OK, crm_user_fields_set_email(f, "Susan@Example.com"));
        CHECK_RC(CRM_OK, crm_user_update(&u, db, admin_p, crm_user_id(s2), f));
        CHECK_STR("susan@example.com", crm_user_email(u));
        crm_user_free(u);
        u = NULL;
        crm_user_fields_free(f);
    }

    /* Changing one's own password needs the current one and ends every session. */
    {
        crm_user_fields *f = NULL;
        crm_tokens *old = NULL, *t = NULL;
        crm_principal *p = login_as("sam@example.com", PASSWORD, &old);
        CHECK_RC(CRM_OK, crm_user_fields_new(&f));
        CHECK_RC(CRM_OK, crm_user_fields_set_password(f, "new-password-1", NULL));
        CHECK_INVALID("currentPassword", crm_user_update(&u, db, p, crm_user_id(s1), f));
        CHECK_RC(CRM_OK, crm_user_fields_set_password(f, "new-password-1", "wrong-password"));
        CHECK_RC(CRM_EUNAUTHORIZED, crm_user_update(&u, db, p, crm_user_id(s1), f));
        CHECK_INVALID("current_password", crm_user_fields_set_password(f, "new-password-1", "\xff"));
        CHECK_INVALID("password", crm_user_fields_set_password(f, NULL, PASSWORD));
        CHECK_RC(CRM_OK, crm_user_fields_set_password(f, "new-password-1", PASSWORD));
        CHECK_RC(CRM_OK, crm_user_update(&u, db, p, crm_user_id(s1), f));
        crm_user_free(u);
        u = NULL;
        CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_refresh(&t, db, crm_tokens_refresh_token(old)));
        CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_login(&t, db, "sam@example.com", PASSWORD));
        CHECK_RC(CRM_OK, crm_auth_login(&t, db, "sam@example.com", "new-password-1"));
        crm_tokens_free(t);
        t = NULL;
        crm_user_fields_free(f);
        /* An ADMIN sets another user's password without knowing it; a short one is refused. */
        f = NULL;
        CHECK_RC(CRM_OK, crm_user_fields_new(&f));
        CHECK_RC(CRM_OK, crm_user_fields_set_password(f, "short", NULL));
        CHECK_INVALID("password", crm_user_update(&u, db, admin_p, crm_user_id(s1), f));
        CHECK_RC(CRM_OK, crm_user_fields_set_password(f, PASSWORD, NULL));
        CHECK_RC(CRM_OK, crm_user_update(&u, db, admin_p, crm_user_id(s1), f));
        crm_user_free(u);
        u = NULL;
        CHECK_RC(CRM_OK, crm_auth_login(&t, db, "sam@example.com", PASSWORD));
        crm_tokens_free(t);
        crm_user_fields_free(f);
        crm_tokens_free(old);
        crm_principal_free(p);
    }

    /* The last ADMIN can be neither demoted nor deleted. */
    {
        crm_user_fields *f = NULL;
        crm_user *second = NULL;
        const char *admin_id = crm_principal_user_id(admin_p);
        CHECK_RC(CRM_OK, crm_user_fields_new(&f));
        CHECK_RC(CRM_OK, crm_user_fields_set_role(f, CRM_ROLE_SALES));
        CHECK_RC(CRM_ECONFLICT, crm_user_update(&u, db, admin_p, admin_id, f));
        CHECK_RC(CRM_ECONFLICT, crm_user_delete(db, sys, admin_id));
        CHECK_RC(CRM_OK, crm_user_create(&second, db, admin_p, "second-admin@example.com", PASSWORD, NULL,
                                         CRM_ROLE_ADMIN));
        CHECK_RC(CRM_OK, crm_user_update(&u, db, admin_p, crm_user_id(second), f)); /* demoted: not the last */
        CHECK(crm_user_role(u) == CRM_ROLE_SALES);
        crm_user_free(u);
        u = NULL;
        CHECK_RC(CRM_OK, crm_user_delete(db, admin_p, crm_user_id(second)));
        CHECK_RC(CRM_ENOTFOUND, crm_user_delete(db, admin_p, crm_user_id(second)));
        crm_user_free(second);
        crm_user_fields_free(f);
    }

    /* Deleting is for ADMIN. */
    CHECK_RC(CRM_EFORBIDDEN, crm_user_delete(db, s1_p, crm_user_id(s1)));
    CHECK_RC(CRM_EFORBIDDEN, crm_user_delete(db, mgr_p, crm_user_id(s1)));
    CHECK_RC(CRM_ENOTFOUND, crm_user_delete(db, admin_p, missing));
    CHECK_INVALID("id", crm_user_delete(db, admin_p, "zz"));
    CHECK_INVALID("actor", crm_user_delete(db, NULL, crm_user_id(s1)));
    CHECK_INVALID("db", crm_user_delete(NULL, admin_p, crm_user_id(s1)));

    crm_user_free(manager);
    crm_user_free(s1);
    crm_user_free(s2);
    crm_principal_free(admin_p);
    crm_principal_free(mgr_p);
    crm_principal_free(s1_p);
}

static void test_user_deleted(void) {
    crm_user *gone = new_user("gone@example.com", CRM_ROLE_SALES);
    crm_tokens *t = NULL, *again = NULL;
    crm_principal *p = login_as("gone@example.com", PASSWORD, &t), *q = NULL;
    crm_lead *lead = new_lead(p, "Left behind", ""), *after = NULL;
    crm_activity *a = NULL, *a_after = NULL;
    begin("users/delete");
    CHECK_STR(crm_user_id(gone), crm_lead_owner_id(lead));
    CHECK_RC(CRM_OK, crm_activity_create(&a, db, p, crm_lead_id(lead), CRM_ACTIVITY_NOTE, "by gone"));
    CHECK_STR(crm_user_id(gone), crm_activity_created_by(a));
    CHECK_RC(CRM_OK, crm_user_delete(db, sys, crm_user_id(gone)));
    /* Their access token dies at once; their refresh tokens are gone. */
    CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_authenticate(&q, db, crm_tokens_access_token(t)));
    CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_refresh(&again, db, crm_tokens_refresh_token(t)));
    CHECK_RC(CRM_EUNAUTHORIZED, crm_auth_login(&again, db, "gone@example.com", PASSWORD));
    /* Their leads and activities stay, unowned and authorless. */
    CHECK_RC(CRM_OK, crm_lead_get(&after, db, sys, crm_lead_id(lead)));
    CHECK_STR(NULL, crm_lead_owner_id(after));
    CHECK_RC(CRM_OK, crm_activity_get(&a_after, db, sys, crm_activity_id(a)));
    CHECK_STR(NULL, crm_activity_created_by(a_after));
    CHECK_STR("by gone", crm_activity_body(a_after));
    crm_activity_free(a);
    crm_activity_free(a_after);
    crm_lead_free(lead);
    crm_lead_free(after);
    crm_principal_free(p);
    crm_tokens_free(t);
    crm_user_free(gone);
}

/* A principal the host keeps follows its user's demotion and deletion (checked again once it is
 * older than a second, the default principal_max_age). */
static void test_long_lived_principal(void) {
    crm_user *m = new_user("kept@example.com", CRM_ROLE_MANAGER), *other = new_user("kept-other@example.com", CRM_ROLE_SALES);
    crm_user *u = NULL;
    crm_user_fields *demote = NULL;
    crm_principal *kept = login_as("kept@example.com", PASSWORD, NULL);
    crm_lead *foreign = new_lead(sys, "not the kept user's", crm_user_id(other)), *read = NULL;
    struct timespec second = {1, 100000000};
    begin("principal/long-lived");
    CHECK_RC(CRM_OK, crm_lead_get(&read, db, kept, crm_lead_id(foreign)));
    crm_lead_free(read);
    read = NULL;
    CHECK_RC(CRM_OK, crm_user_fields_new(&demote));
    CHECK_RC(CRM_OK, crm_user_fields_set_role(demote, CRM_ROLE_SALES));
    CHECK_RC(CRM_OK, crm_user_update(&u, db, sys, crm_user_id(m), demote));
    crm_user_free(u);
    u = NULL;
    nanosleep(&second, NULL);
    CHECK_RC(CRM_ENOTFOUND, crm_lead_get(&read, db, kept, crm_lead_id(foreign)));
    CHECK_RC(CRM_EFORBIDDEN, crm_user_get(&u, db, kept, crm_user_id(other)));
    CHECK_RC(CRM_OK, crm_user_delete(db, sys, crm_user_id(m)));
    CHECK_RC(CRM_EUNAUTHORIZED, crm_lead_get(&read, db, kept, crm_lead_id(foreign)));
    crm_user_fields_free(demote);
    crm_lead_free(foreign);
    crm_principal_free(kept);
    crm_user_free(m);
    crm_user_free(other);
}

static void test_leads(void) {
    crm_user *s1 = new_user("lena@example.com", CRM_ROLE_SALES);
    crm_user *s2 = new_user("lars@example.com", CRM_ROLE_SALES);
    crm_user *mgr = new_user("max@example.com", CRM_ROLE_MANAGER);
    crm_principal *s1_p = login_as("lena@example.com", PASSWORD, NULL);
    crm_principal *s2_p = login_as("lars@example.com", PASSWORD, NULL);
    crm_principal *mgr_p = login_as("max@example.com", PASSWORD, NULL);
    crm_principal *admin_p = login_as("admin@example.com", PASSWORD, NULL);
    crm_lead_fields *f = NULL;
    crm_lead *lead = NULL, *other = NULL, *unowned = NULL, *got = NULL;
    char *json = NULL, *meta = NULL, expected[512];
    const char *missing = "00000000-0000-7000-8000-000000000000";
    begin("leads");

    /* Creating: every field, the owner defaults to the caller. */
    CHECK_INVALID("out", crm_lead_fields_new(NULL));
    CHECK_RC(CRM_OK, crm_lead_fields_new(&f));
    CHECK_RC(CRM_OK, crm_lead_fields_set_title(f, "Acme rollout"));
    CHECK_RC(CRM_OK, crm_lead_fields_set_description(f, "Two hundred seats"));
    CHECK_RC(CRM_OK, crm_lead_fields_set_source(f, "web"));
    CHECK_RC(CRM_OK, crm_lead_fields_set_metadata(f, "{\"tier\":\"gold\",\"tags\":[\"a\",\"b\"],\"n\":{\"x\":1}}"));
    CHECK_RC(CRM_OK, crm_lead_create(&lead, db, s1_p, f));
    crm_lead_fields_free(f);
    f = NULL;
    CHECK_STR("Acme rollout", crm_lead_title(lead));
    CHECK_STR("Two hundred seats", crm_lead_description(lead));
    CHECK_STR("web", crm_lead_source(lead));
    CHECK_STR(crm_user_id(s1), crm_lead_owner_id(lead));
    CHECK(crm_lead_status_of(lead) == CRM_LEAD_NEW);
    CHECK(strlen(crm_lead_id(lead)) == 36);
    CHECK(crm_lead_created_at_ms(lead) > 1600000000000LL);
    CHECK(crm_lead_created_at_ms(lead) == crm_lead_updated_at_ms(lead));
    CHECK(strlen(crm_lead_created_at(lead)) == 24);
    CHECK_STR(crm_lead_created_at(lead), crm_lead_updated_at(lead));
    meta = (char *)malloc(strlen(crm_lead_metadata(lead)) + 1);
    strcpy(meta, crm_lead_metadata(lead));
    squeeze(meta);
    CHECK(strstr(meta, "\"tier\":\"gold\"") != NULL && strstr(meta, "\"tags\":[\"a\",\"b\"]") != NULL &&
          strstr(meta, "\"n\":{\"x\":1}") != NULL);
    free(meta);
    CHECK_RC(CRM_OK, crm_lead_to_json(&json, lead));
    sprintf(expected,
            "{\"id\":\"%s\",\"title\":\"Acme rollout\",\"description\":\"Two hundred seats\",\"status\":\"NEW\","
            "\"source\":\"web\",\"ownerId\":\"%s\",\"metadata\":{",
            crm_lead_id(lead), crm_user_id(s1));
    CHECK(starts_with(json, expected));
    sprintf(expected, "},\"createdAt\":\"%s\",\"updatedAt\":\"%s\"}", crm_lead_created_at(lead), crm_lead_updated_at(lead));
    CHECK(strlen(json) > strlen(expected) && strcmp(json + strlen(json) - strlen(expected), expected) == 0);
    CHECK(strstr(json, "\"tier\":\"gold\"") != NULL);
    crm_free(json);
    json = NULL;
    CHECK_INVALID("lead", crm_lead_to_json(&json, NULL));

    /* Field checks: the ABI's (NULL, UTF-8, enum, JSON syntax) and the core's. */
    CHECK_RC(CRM_OK, crm_lead_fields_new(&f));
    CHECK_INVALID("title", crm_lead_create(&other, db, s1_p, f)); /* required */
    CHECK(other == NULL);
    CHECK_INVALID("title", crm_lead_fields_set_title(f, NULL));
    CHECK_RC(CRM_OK, crm_lead_fields_set_title(f, "   "));
    CHECK_INVALID("title", crm_lead_create(&other, db, s1_p, f));
    {
        char long_title[300];
        memset(long_title, 'x', 256);
        long_title[256] = '\0';
        CHECK_RC(CRM_OK, crm_lead_fields_set_title(f, long_title));
        CHECK_INVALID("title", crm_lead_create(&other, db, s1_p, f));
        long_title[255] = '\0';
        CHECK_RC(CRM_OK, crm_lead_fields_set_title(f, long_title));
        CHECK_RC(CRM_OK, crm_lead_create(&other, db, s1_p, f));
        crm_lead_free(other);
        other = NULL;
    }
    CHECK_RC(CRM_OK, crm_lead_fields_set_title(f, "Checks"));
    CHECK_INVALID("status", crm_lead_fields_set_status(f, (crm_lead_status)4));
    CHECK_INVALID("metadata", crm_lead_fields_set_metadata(f, "{not json"));
    CHECK(strstr(crm_error_message(crm_error_last()), "JSON") != NULL);
    CHECK_INVALID("metadata", crm_lead_fields_set_metadata(f, "{\"a\":1} trailing"));
    CHECK_INVALID("metadata", crm_lead_fields_set_metadata(f, "\"\xff\""));
    CHECK_RC(CRM_OK, crm_lead_fields_set_metadata(f, "[1,2]")); /* JSON, but not an object: the core says no */
    CHECK_INVALID("metadata", crm_lead_create(&other, db, s1_p, f));
    CHECK_RC(CRM_OK, crm_lead_fields_set_metadata(f, "null"));
    CHECK_INVALID("owner_id", crm_lead_fields_set_owner_id(f, "nobody"));
    CHECK_INVALID("fields", crm_lead_fields_set_title(NULL, "x"));
    CHECK_INVALID("fields", crm_lead_fields_set_description(NULL, "x"));
    CHECK_INVALID("fields", crm_lead_fields_set_status(NULL, CRM_LEAD_NEW));
    CHECK_INVALID("fields", crm_lead_fields_set_source(NULL, "x"));
    CHECK_INVALID("fields", crm_lead_fields_set_owner_id(NULL, NULL));
    CHECK_INVALID("fields", crm_lead_fields_set_metadata(NULL, NULL));
    CHECK_INVALID("fields", crm_lead_create(&other, db, s1_p, NULL));
    CHECK_INVALID("actor", crm_lead_create(&other, db, NULL, f));
    CHECK_INVALID("out", crm_lead_create(NULL, db, s1_p, f));
    CHECK_RC(CRM_OK, crm_lead_create(&other, db, s1_p, f));
    CHECK_STR(NULL, crm_lead_metadata(other)); /* JSON null is null */
    CHECK_STR(NULL, crm_lead_description(other));
    CHECK_STR(NULL, crm_lead_source(other));
    crm_lead_free(other);
    other = NULL;
    crm_lead_fields_free(f);
    f = NULL;

    /* Owners: SALES only themselves; ADMIN and MANAGER anyone or no one; the owner must exist. */
    CHECK_RC(CRM_OK, crm_lead_fields_new(&f));
    CHECK_RC(CRM_OK, crm_lead_fields_set_title(f, "Owned"));
    CHECK_RC(CRM_OK, crm_lead_fields_set_owner_id(f, crm_user_id(s2)));
    CHECK_RC(CRM_EFORBIDDEN, crm_lead_create(&other, db, s1_p, f));
    CHECK_RC(CRM_OK, crm_lead_fields_set_owner_id(f, NULL));
    CHECK_RC(CRM_EFORBIDDEN, crm_lead_create(&other, db, s1_p, f));
    CHECK_RC(CRM_OK, crm_lead_fields_set_owner_id(f, crm_user_id(s1)));
    CHECK_RC(CRM_OK, crm_lead_create(&other, db, s1_p, f));
    CHECK_STR(crm_user_id(s1), crm_lead_owner_id(other));
    crm_lead_free(other);
    other = NULL;
    CHECK_RC(CRM_OK, crm_lead_fields_set_owner_id(f, crm_user_id(s2)));
    CHECK_RC(CRM_OK, crm_lead_create(&other, db, admin_p, f));
    CHECK_STR(crm_user_id(s2), crm_lead_owner_id(other));
    CHECK_RC(CRM_OK, crm_lead_fields_set_owner_id(f, missing));
    CHECK_INVALID("ownerId", crm_lead_create(&got, db, admin_p, f));
    crm_lead_fields_free(f);
    f = NULL;
    unowned = new_lead(mgr_p, "Nobody's", NULL);
    CHECK_STR(NULL, crm_lead_owner_id(unowned));
    got = new_lead(sys, "By the system", "");
    CHECK_STR(NULL, crm_lead_owner_id(got)); /* the system principal owns nothing */
    crm_lead_free(got);
    got = NULL;

    /* Scope: another's lead is not found for SALES, visible to MANAGER. */
    CHECK_RC(CRM_ENOTFOUND, crm_lead_get(&got, db, s1_p, crm_lead_id(other)));
    CHECK_RC(CRM_ENOTFOUND, crm_lead_get(&got, db, s1_p, crm_lead_id(unowned)));
    CHECK(got == NULL);
    CHECK_RC(CRM_OK, crm_lead_get(&got, db, s2_p, crm_lead_id(other)));
    crm_lead_free(got);
    got = NULL;
    CHECK_RC(CRM_OK, crm_lead_get(&got, db, mgr_p, crm_lead_id(other)));
    CHECK_STR(crm_lead_id(other), crm_lead_id(got));
    crm_lead_free(got);
    got = NULL;
    CHECK_RC(CRM_ENOTFOUND, crm_lead_get(&got, db, admin_p, missing));
    CHECK_INVALID("id", crm_lead_get(&got, db, admin_p, "lead-1"));
    CHECK_INVALID("id", crm_lead_get(&got, db, admin_p, NULL));
    CHECK_INVALID("out", crm_lead_get(NULL, db, admin_p, crm_lead_id(lead)));
    CHECK_RC(CRM_OK, crm_lead_fields_new(&f));
    CHECK_RC(CRM_OK, crm_lead_fields_set_status(f, CRM_LEAD_CONTACTED));
    CHECK_RC(CRM_ENOTFOUND, crm_lead_update(&got, db, s1_p, crm_lead_id(other), f));
    CHECK_RC(CRM_ENOTFOUND, crm_lead_delete(db, s1_p, crm_lead_id(other)));
    CHECK_RC(CRM_OK, crm_lead_update(&got, db, mgr_p, crm_lead_id(other), f));
    CHECK(crm_lead_status_of(got) == CRM_LEAD_CONTACTED);
    crm_lead_free(got);
    got = NULL;
    crm_lead_fields_free(f);
    f = NULL;

    /* Partial update: what is not set stays; NULL sets null. */
    CHECK_RC(CRM_OK, crm_lead_fields_new(&f));
    CHECK_RC(CRM_OK, crm_lead_fields_set_status(f, CRM_LEAD_QUALIFIED));
    CHECK_RC(CRM_OK, crm_lead_update(&got, db, s1_p, crm_lead_id(lead), f));
    CHECK(crm_lead_status_of(got) == CRM_LEAD_QUALIFIED);
    CHECK_STR("Acme rollout", crm_lead_title(got));
    CHECK_STR("Two hundred seats", crm_lead_description(got));
    CHECK_STR("web", crm_lead_source(got));
    CHECK(crm_lead_metadata(got) != NULL);
    CHECK_STR(crm_user_id(s1), crm_lead_owner_id(got));
    CHECK(crm_lead_updated_at_ms(got) >= crm_lead_created_at_ms(got));
    CHECK_STR(crm_lead_created_at(lead), crm_lead_created_at(got));
    crm_lead_free(got);
    got = NULL;
    crm_lead_fields_free(f);
    f = NULL;
    CHECK_RC(CRM_OK, crm_lead_fields_new(&f));
    CHECK_RC(CRM_OK, crm_lead_fields_set_description(f, NULL));
    CHECK_RC(CRM_OK, crm_lead_fields_set_source(f, NULL));
    CHECK_RC(CRM_OK, crm_lead_fields_set_metadata(f, NULL));
    CHECK_RC(CRM_OK, crm_lead_fields_set_title(f, "Acme rollout (phase 2)"));
    CHECK_RC(CRM_OK, crm_lead_update(&got, db, s1_p, crm_lead_id(lead), f));
    CHECK_STR("Acme rollout (phase 2)", crm_lead_title(got));
    CHECK_STR(NULL, crm_lead_description(got));
    CHECK_STR(NULL, crm_lead_source(got));
    CHECK_STR(NULL, crm_lead_metadata(got));
    CHECK(crm_lead_status_of(got) == CRM_LEAD_QUALIFIED);
    CHECK_RC(CRM_OK, crm_lead_to_json(&json, got));
    CHECK(strstr(json, "\"description\":null,\"status\":\"QUALIFIED\",\"source\":null") != NULL);
    CHECK(strstr(json, "\"metadata\":null") != NULL);
    crm_free(json);
    json = NULL;
    crm_lead_free(got);
    got = NULL;
    crm_lead_fields_free(f);
    f = NULL;
    /* Reassigning is for ADMIN and MANAGER; restating oneself is fine. */
    CHECK_RC(CRM_OK, crm_lead_fields_new(&f));
    CHECK_RC(CRM_OK, crm_lead_fields_set_owner_id(f, crm_user_id(s2)));
    CHECK_RC(CRM_EFORBIDDEN, crm_lead_update(&got, db, s1_p, crm_lead_id(lead), f));
    CHECK_RC(CRM_OK, crm_lead_fields_set_owner_id(f, crm_user_id(s1)));
    CHECK_RC(CRM_OK, crm_lead_update(&got, db, s1_p, crm_lead_id(lead), f));
    crm_lead_free(got);
    got = NULL;
    CHECK_RC(CRM_OK, crm_lead_fields_set_owner_id(f, crm_user_id(s1)));
    CHECK_RC(CRM_OK, crm_lead_update(&got, db, mgr_p, crm_lead_id(unowned), f));
    CHECK_STR(crm_user_id(s1), crm_lead_owner_id(got));
    crm_lead_free(got);
    got = NULL;
    CHECK_INVALID("changes", crm_lead_update(&got, db, s1_p, crm_lead_id(lead), NULL));
    CHECK_INVALID("id", crm_lead_update(&got, db, s1_p, "x", f));
    CHECK_RC(CRM_ENOTFOUND, crm_lead_update(&got, db, admin_p, missing, f));
    crm_lead_fields_free(f);
    f = NULL;

    /* Deleting. */
    CHECK_RC(CRM_OK, crm_lead_delete(db, s1_p, crm_lead_id(lead)));
    CHECK_RC(CRM_ENOTFOUND, crm_lead_get(&got, db, s1_p, crm_lead_id(lead)));
    CHECK_RC(CRM_ENOTFOUND, crm_lead_delete(db, s1_p, crm_lead_id(lead)));
    CHECK_RC(CRM_OK, crm_lead_delete(db, mgr_p, crm_lead_id(other)));
    CHECK_INVALID("id", crm_lead_delete(db, s1_p, NULL));
    CHECK_INVALID("actor", crm_lead_delete(db, NULL, crm_lead_id(unowned)));
    CHECK_INVALID("db", crm_lead_delete(NULL, s1_p, crm_lead_id(unowned)));

    crm_lead_free(lead);
    crm_lead_free(other);
    crm_lead_free(unowned);
    crm_user_free(s1);
    crm_user_free(s2);
    crm_user_free(mgr);
    crm_principal_free(s1_p);
    crm_principal_free(s2_p);
    crm_principal_free(mgr_p);
    crm_principal_free(admin_p);
}

static void test_lead_list(void) {
    static const char *titles[] = {"Alpha", "Bravo", "Charlie", "Delta", "Echo"};
    static const crm_lead_status statuses[] = {CRM_LEAD_CLOSED, CRM_LEAD_NEW, CRM_LEAD_QUALIFIED, CRM_LEAD_CONTACTED,
                                               CRM_LEAD_NEW};
    crm_user *owner = new_user("olga@example.com", CRM_ROLE_SALES);
    crm_principal *p = login_as("olga@example.com", PASSWORD, NULL);
    crm_principal *admin_p = login_as("admin@example.com", PASSWORD, NULL);
    crm_lead_page *page = NULL;
    crm_lead_filter *filter = NULL;
    crm_lead *fair1, *fair2;
    char *json = NULL;
    size_t i;
    begin("leads/list");
    for (i = 0; i < 5; ++i) {
        crm_lead_fields *f = NULL;
        crm_lead *lead = NULL;
        CHECK_RC(CRM_OK, crm_lead_fields_new(&f));
        CHECK_RC(CRM_OK, crm_lead_fields_set_title(f, titles[i]));
        CHECK_RC(CRM_OK, crm_lead_fields_set_status(f, statuses[i]));
        CHECK_RC(CRM_OK, crm_lead_fields_set_source(f, i % 2 ? "phone" : "web"));
        if (i == 3) CHECK_RC(CRM_OK, crm_lead_fields_set_description(f, "needs a LIST of Prices"));
        CHECK_RC(CRM_OK, crm_lead_create(&lead, db, p, f));
        crm_lead_free(lead);
        crm_lead_fields_free(f);
    }
    {
        crm_lead_fields *f = NULL;
        fair1 = NULL;
        fair2 = NULL;
        CHECK_RC(CRM_OK, crm_lead_fields_new(&f));
        CHECK_RC(CRM_OK, crm_lead_fields_set_title(f, "Fair one"));
        CHECK_RC(CRM_OK, crm_lead_fields_set_source(f, "fair"));
        CHECK_RC(CRM_OK, crm_lead_fields_set_owner_id(f, NULL));
        CHECK_RC(CRM_OK, crm_lead_create(&fair1, db, admin_p, f));
        CHECK_RC(CRM_OK, crm_lead_fields_set_title(f, "Fair two"));
        CHECK_RC(CRM_OK, crm_lead_create(&fair2, db, admin_p, f));
        crm_lead_fields_free(f);
    }

    /* SALES see their own leads only; newest first by default. */
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, NULL, NULL, 1, 20));
    CHECK(crm_lead_page_total(page) == 5 && crm_lead_page_count(page) == 5);
    CHECK_STR("Echo", crm_lead_title(crm_lead_page_at(page, 0)));
    CHECK_STR("Alpha", crm_lead_title(crm_lead_page_at(page, 4)));
    CHECK(crm_lead_page_at(page, 5) == NULL);
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, NULL, "createdAt", 1, 20));
    CHECK_STR("Alpha", crm_lead_title(crm_lead_page_at(page, 0)));
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, NULL, "-title", 1, 20));
    CHECK_STR("Echo", crm_lead_title(crm_lead_page_at(page, 0)));
    CHECK_STR("Alpha", crm_lead_title(crm_lead_page_at(page, 4)));
    crm_lead_page_free(page);
    page = NULL;
    /* Status in pipeline order, ties by id (creation order). */
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, NULL, "status", 1, 20));
    CHECK_STR("Bravo", crm_lead_title(crm_lead_page_at(page, 0)));
    CHECK_STR("Echo", crm_lead_title(crm_lead_page_at(page, 1)));
    CHECK_STR("Delta", crm_lead_title(crm_lead_page_at(page, 2)));
    CHECK_STR("Charlie", crm_lead_title(crm_lead_page_at(page, 3)));
    CHECK_STR("Alpha", crm_lead_title(crm_lead_page_at(page, 4)));
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, NULL, "updatedAt", 1, 20));
    CHECK(crm_lead_page_count(page) == 5);
    crm_lead_page_free(page);
    page = NULL;
    CHECK_INVALID("sort", crm_lead_list(&page, db, p, NULL, "name", 1, 20));
    CHECK_INVALID("sort", crm_lead_list(&page, db, p, NULL, "", 1, 20));
    CHECK_INVALID("sort", crm_lead_list(&page, db, p, NULL, "-\xff", 1, 20));
    CHECK(page == NULL);

    /* Pages. */
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, NULL, "title", 2, 2));
    CHECK(crm_lead_page_number(page) == 2 && crm_lead_page_limit(page) == 2);
    CHECK(crm_lead_page_total(page) == 5 && crm_lead_page_total_pages(page) == 3);
    CHECK(crm_lead_page_count(page) == 2);
    CHECK_STR("Charlie", crm_lead_title(crm_lead_page_at(page, 0)));
    CHECK_RC(CRM_OK, crm_lead_page_to_json(&json, page));
    CHECK(starts_with(json, "{\"data\":[{\"id\":"));
    CHECK(strstr(json, "\"pagination\":{\"page\":2,\"limit\":2,\"total\":5,\"totalPages\":3,\"nextCursor\":\"") != NULL);
    crm_free(json);
    json = NULL;
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, NULL, "title", 3, 2));
    CHECK(crm_lead_page_count(page) == 1);
    crm_lead_page_free(page);
    page = NULL;
    CHECK_INVALID("page", crm_lead_list(&page, db, p, NULL, NULL, 0, 20));
    CHECK_INVALID("limit", crm_lead_list(&page, db, p, NULL, NULL, 1, 101));
    CHECK_INVALID("limit", crm_lead_list(&page, db, p, NULL, NULL, 1, -1));

    /* Filters. */
    CHECK_INVALID("out", crm_lead_filter_new(NULL));
    CHECK_RC(CRM_OK, crm_lead_filter_new(&filter));
    {
        crm_lead_status wanted[2];
        wanted[0] = CRM_LEAD_QUALIFIED;
        wanted[1] = CRM_LEAD_CLOSED;
        CHECK_RC(CRM_OK, crm_lead_filter_set_statuses(filter, wanted, 2));
        CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, filter, "title", 1, 20));
        CHECK(crm_lead_page_total(page) == 2);
        CHECK_STR("Alpha", crm_lead_title(crm_lead_page_at(page, 0)));
        CHECK_STR("Charlie", crm_lead_title(crm_lead_page_at(page, 1)));
        crm_lead_page_free(page);
        page = NULL;
        wanted[1] = (crm_lead_status)9;
        CHECK_INVALID("statuses[1]", crm_lead_filter_set_statuses(filter, wanted, 2));
        CHECK_INVALID("statuses", crm_lead_filter_set_statuses(filter, NULL, 1));
        CHECK_RC(CRM_OK, crm_lead_filter_set_statuses(filter, NULL, 0)); /* any status again */
    }
    CHECK_RC(CRM_OK, crm_lead_filter_set_source(filter, "phone"));
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, filter, "title", 1, 20));
    CHECK(crm_lead_page_total(page) == 2); /* Bravo, Delta */
    crm_lead_page_free(page);
    page = NULL;
    crm_lead_filter_free(filter);
    filter = NULL;
    CHECK_RC(CRM_OK, crm_lead_filter_new(&filter));
    CHECK_RC(CRM_OK, crm_lead_filter_set_query(filter, "LPH"));
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, filter, NULL, 1, 20));
    CHECK(crm_lead_page_total(page) == 1);
    CHECK_STR("Alpha", crm_lead_title(crm_lead_page_at(page, 0)));
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_filter_set_query(filter, "list of prices")); /* the description too */
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, filter, NULL, 1, 20));
    CHECK(crm_lead_page_total(page) == 1);
    CHECK_STR("Delta", crm_lead_title(crm_lead_page_at(page, 0)));
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_filter_set_query(filter, "100%_"));
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, filter, NULL, 1, 20));
    CHECK(crm_lead_page_total(page) == 0);
    crm_lead_page_free(page);
    page = NULL;
    crm_lead_filter_free(filter);
    filter = NULL;
    /* Owner: a user, or NULL for unowned leads. */
    CHECK_RC(CRM_OK, crm_lead_filter_new(&filter));
    CHECK_RC(CRM_OK, crm_lead_filter_set_owner_id(filter, crm_user_id(owner)));
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, admin_p, filter, NULL, 1, 20));
    CHECK(crm_lead_page_total(page) == 5);
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_filter_set_owner_id(filter, crm_principal_user_id(admin_p)));
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, filter, NULL, 1, 20));
    CHECK(crm_lead_page_total(page) == 0); /* SALES asking for another owner find nothing */
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_filter_set_owner_id(filter, NULL));
    CHECK_RC(CRM_OK, crm_lead_filter_set_source(filter, "fair"));
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, admin_p, filter, "title", 1, 20));
    CHECK(crm_lead_page_total(page) == 2);
    CHECK_STR(crm_lead_id(fair1), crm_lead_id(crm_lead_page_at(page, 0)));
    CHECK_STR(NULL, crm_lead_owner_id(crm_lead_page_at(page, 1)));
    crm_lead_page_free(page);
    page = NULL;
    CHECK_INVALID("owner_id", crm_lead_filter_set_owner_id(filter, "me"));
    CHECK_INVALID("source", crm_lead_filter_set_source(filter, NULL));
    CHECK_INVALID("q", crm_lead_filter_set_query(filter, "\xe2\x82"));
    CHECK_INVALID("filter", crm_lead_filter_set_statuses(NULL, NULL, 0));
    CHECK_INVALID("filter", crm_lead_filter_set_owner_id(NULL, NULL));
    CHECK_INVALID("filter", crm_lead_filter_set_source(NULL, "x"));
    CHECK_INVALID("filter", crm_lead_filter_set_query(NULL, "x"));
    CHECK_INVALID("actor", crm_lead_list(&page, db, NULL, filter, NULL, 1, 20));
    CHECK_INVALID("out", crm_lead_list(NULL, db, p, filter, NULL, 1, 20));
    CHECK_INVALID("db", crm_lead_list(&page, NULL, p, filter, NULL, 1, 20));
    crm_lead_filter_free(filter);
    crm_lead_filter_free(NULL);

    crm_lead_free(fair1);
    crm_lead_free(fair2);
    crm_user_free(owner);
    crm_principal_free(p);
    crm_principal_free(admin_p);
}

static void test_activities(void) {
    crm_user *s1 = new_user("ann@example.com", CRM_ROLE_SALES);
    crm_user *s2 = new_user("ben@example.com", CRM_ROLE_SALES);
    crm_user *mgr = new_user("meg@example.com", CRM_ROLE_MANAGER);
    crm_principal *p1 = login_as("ann@example.com", PASSWORD, NULL);
    crm_principal *p2 = login_as("ben@example.com", PASSWORD, NULL);
    crm_principal *pm = login_as("meg@example.com", PASSWORD, NULL);
    crm_lead *lead = new_lead(p1, "With activities", "");
    crm_lead *lead2 = new_lead(p1, "Another", "");
    crm_activity *a = NULL, *b = NULL, *got = NULL;
    crm_activity_page *page = NULL;
    crm_activity_fields *f = NULL;
    char *json = NULL, expected[512];
    const char *missing = "00000000-0000-7000-8000-000000000000";
    int i;
    begin("activities");

    CHECK_RC(CRM_OK, crm_activity_create(&a, db, p1, crm_lead_id(lead), CRM_ACTIVITY_CALL, "Called, no answer"));
    CHECK_STR(crm_lead_id(lead), crm_activity_lead_id(a));
    CHECK_STR(crm_user_id(s1), crm_activity_created_by(a));
    CHECK(crm_activity_type_of(a) == CRM_ACTIVITY_CALL);
    CHECK_STR("Called, no answer", crm_activity_body(a));
    CHECK(strlen(crm_activity_id(a)) == 36);
    CHECK(crm_activity_created_at_ms(a) == crm_activity_updated_at_ms(a) && crm_activity_created_at_ms(a) > 0);
    CHECK_STR(crm_activity_created_at(a), crm_activity_updated_at(a));
    CHECK_RC(CRM_OK, crm_activity_to_json(&json, a));
    sprintf(expected,
            "{\"id\":\"%s\",\"leadId\":\"%s\",\"type\":\"CALL\",\"body\":\"Called, no answer\",\"createdBy\":\"%s\","
            "\"createdAt\":\"%s\",\"updatedAt\":\"%s\"}",
            crm_activity_id(a), crm_lead_id(lead), crm_user_id(s1), crm_activity_created_at(a),
            crm_activity_updated_at(a));
    CHECK_STR(expected, json);
    crm_free(json);
    json = NULL;
    CHECK_INVALID("activity", crm_activity_to_json(&json, NULL));

    CHECK_RC(CRM_OK, crm_activity_create(&b, db, sys, crm_lead_id(lead), CRM_ACTIVITY_NOTE, NULL));
    CHECK_STR(NULL, crm_activity_body(b));
    CHECK_STR(NULL, crm_activity_created_by(b)); /* the system principal is nobody */
    crm_activity_free(b);
    b = NULL;
    CHECK_RC(CRM_ENOTFOUND, crm_activity_create(&b, db, p2, crm_lead_id(lead), CRM_ACTIVITY_NOTE, "not mine"));
    CHECK(b == NULL);
    CHECK_RC(CRM_ENOTFOUND, crm_activity_create(&b, db, p1, missing, CRM_ACTIVITY_NOTE, NULL));
    CHECK_INVALID("type", crm_activity_create(&b, db, p1, crm_lead_id(lead), (crm_activity_type)3, NULL));
    CHECK_INVALID("lead_id", crm_activity_create(&b, db, p1, "nope", CRM_ACTIVITY_NOTE, NULL));
    CHECK_INVALID("lead_id", crm_activity_create(&b, db, p1, NULL, CRM_ACTIVITY_NOTE, NULL));
    CHECK_INVALID("body", crm_activity_create(&b, db, p1, crm_lead_id(lead), CRM_ACTIVITY_NOTE, "\xc3\xa9\xc3"));
    CHECK_INVALID("actor", crm_activity_create(&b, db, NULL, crm_lead_id(lead), CRM_ACTIVITY_NOTE, NULL));
    CHECK_INVALID("out", crm_activity_create(NULL, db, p1, crm_lead_id(lead), CRM_ACTIVITY_NOTE, NULL));

    /* Listing: newest first, paginated, in scope when the lead is. */
    for (i = 0; i < 3; ++i) {
        char body[32];
        sprintf(body, "email %d", i);
        CHECK_RC(CRM_OK, crm_activity_create(&b, db, p1, crm_lead_id(lead), CRM_ACTIVITY_EMAIL, body));
        if (i < 2) {
            crm_activity_free(b);
            b = NULL;
        }
    }
    CHECK_RC(CRM_OK, crm_activity_list(&page, db, p1, crm_lead_id(lead), 1, 20));
    CHECK(crm_activity_page_total(page) == 5 && crm_activity_page_count(page) == 5);
    CHECK_STR(crm_activity_id(b), crm_activity_id(crm_activity_page_at(page, 0)));
    CHECK_STR(crm_activity_id(a), crm_activity_id(crm_activity_page_at(page, 4)));
    CHECK(crm_activity_page_at(page, 5) == NULL);
    crm_activity_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_activity_list(&page, db, pm, crm_lead_id(lead), 3, 2));
    CHECK(crm_activity_page_number(page) == 3 && crm_activity_page_limit(page) == 2);
    CHECK(crm_activity_page_total_pages(page) == 3 && crm_activity_page_count(page) == 1);
    CHECK_STR(crm_activity_id(a), crm_activity_id(crm_activity_page_at(page, 0)));
    CHECK_RC(CRM_OK, crm_activity_page_to_json(&json, page));
    CHECK(strstr(json, "\"pagination\":{\"page\":3,\"limit\":2,\"total\":5,\"totalPages\":3,\"nextCursor\":null}") != NULL);
    crm_free(json);
    json = NULL;
    crm_activity_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_activity_list(&page, db, p1, crm_lead_id(lead2), 1, 20));
    CHECK(crm_activity_page_total(page) == 0 && crm_activity_page_total_pages(page) == 0);
    crm_activity_page_free(page);
    page = NULL;
    CHECK_RC(CRM_ENOTFOUND, crm_activity_list(&page, db, p2, crm_lead_id(lead), 1, 20));
    CHECK(page == NULL);
    CHECK_RC(CRM_ENOTFOUND, crm_activity_list(&page, db, p1, missing, 1, 20));
    CHECK_INVALID("limit", crm_activity_list(&page, db, p1, crm_lead_id(lead), 1, 0));
    CHECK_INVALID("lead_id", crm_activity_list(&page, db, p1, "x", 1, 20));
    CHECK_INVALID("out", crm_activity_list(NULL, db, p1, crm_lead_id(lead), 1, 20));

    /* Reading. */
    CHECK_RC(CRM_OK, crm_activity_get(&got, db, p1, crm_activity_id(a)));
    CHECK_STR(crm_activity_id(a), crm_activity_id(got));
    crm_activity_free(got);
    got = NULL;
    CHECK_RC(CRM_OK, crm_activity_get(&got, db, pm, crm_activity_id(a)));
    crm_activity_free(got);
    got = NULL;
    CHECK_RC(CRM_ENOTFOUND, crm_activity_get(&got, db, p2, crm_activity_id(a)));
    CHECK_RC(CRM_ENOTFOUND, crm_activity_get(&got, db, p1, missing));
    CHECK_INVALID("id", crm_activity_get(&got, db, p1, "0000"));
    CHECK(got == NULL);

    /* Updating: partial; the lead may be restated, not changed. */
    CHECK_INVALID("out", crm_activity_fields_new(NULL));
    CHECK_RC(CRM_OK, crm_activity_fields_new(&f));
    CHECK_RC(CRM_OK, crm_activity_fields_set_type(f, CRM_ACTIVITY_NOTE));
    CHECK_RC(CRM_OK, crm_activity_update(&got, db, p1, crm_activity_id(a), f));
    CHECK(crm_activity_type_of(got) == CRM_ACTIVITY_NOTE);
    CHECK_STR("Called, no answer", crm_activity_body(got));
    crm_activity_free(got);
    got = NULL;
    CHECK_RC(CRM_OK, crm_activity_fields_set_body(f, NULL));
    CHECK_RC(CRM_OK, crm_activity_fields_set_lead_id(f, crm_lead_id(lead)));
    CHECK_RC(CRM_OK, crm_activity_update(&got, db, p1, crm_activity_id(a), f));
    CHECK_STR(NULL, crm_activity_body(got));
    CHECK_RC(CRM_OK, crm_activity_to_json(&json, got));
    CHECK(strstr(json, "\"type\":\"NOTE\",\"body\":null,") != NULL);
    crm_free(json);
    json = NULL;
    crm_activity_free(got);
    got = NULL;
    CHECK_RC(CRM_OK, crm_activity_fields_set_lead_id(f, crm_lead_id(lead2)));
    CHECK_INVALID("leadId", crm_activity_update(&got, db, p1, crm_activity_id(a), f));
    crm_activity_fields_free(f);
    f = NULL;
    CHECK_RC(CRM_OK, crm_activity_fields_new(&f));
    CHECK_RC(CRM_OK, crm_activity_fields_set_body(f, "Called back: interested"));
    CHECK_RC(CRM_ENOTFOUND, crm_activity_update(&got, db, p2, crm_activity_id(a), f));
    CHECK_RC(CRM_OK, crm_activity_update(&got, db, pm, crm_activity_id(a), f));
    CHECK_STR("Called back: interested", crm_activity_body(got));
    CHECK_STR(crm_user_id(s1), crm_activity_created_by(got)); /* the author stays */
    crm_activity_free(got);
    got = NULL;
    CHECK_INVALID("type", crm_activity_fields_set_type(f, (crm_activity_type)-2));
    CHECK_INVALID("body", crm_activity_fields_set_body(f, "\xf8\x88\x80\x80\x80"));
    CHECK_INVALID("lead_id", crm_activity_fields_set_lead_id(f, NULL));
    CHECK_INVALID("fields", crm_activity_fields_set_type(NULL, CRM_ACTIVITY_NOTE));
    CHECK_INVALID("fields", crm_activity_fields_set_body(NULL, NULL));
    CHECK_INVALID("fields", crm_activity_fields_set_lead_id(NULL, crm_lead_id(lead)));
    CHECK_INVALID("changes", crm_activity_update(&got, db, p1, crm_activity_id(a), NULL));
    CHECK_RC(CRM_ENOTFOUND, crm_activity_update(&got, db, p1, missing, f));
    crm_activity_fields_free(f);
    crm_activity_fields_free(NULL);

    /* Deleting; a lead's activities go with it. */
    CHECK_RC(CRM_ENOTFOUND, crm_activity_delete(db, p2, crm_activity_id(b)));
    CHECK_RC(CRM_OK, crm_activity_delete(db, p1, crm_activity_id(b)));
    CHECK_RC(CRM_ENOTFOUND, crm_activity_get(&got, db, p1, crm_activity_id(b)));
    CHECK_RC(CRM_ENOTFOUND, crm_activity_delete(db, p1, crm_activity_id(b)));
    CHECK_INVALID("id", crm_activity_delete(db, p1, NULL));
    CHECK_RC(CRM_OK, crm_lead_delete(db, p1, crm_lead_id(lead)));
    CHECK_RC(CRM_ENOTFOUND, crm_activity_get(&got, db, sys, crm_activity_id(a)));

    crm_activity_free(a);
    crm_activity_free(b);
    crm_lead_free(lead);
    crm_lead_free(lead2);
    crm_user_free(s1);
    crm_user_free(s2);
    crm_user_free(mgr);
    crm_principal_free(p1);
    crm_principal_free(p2);
    crm_principal_free(pm);
}

/* One crm_db shared by several threads; each thread has its own crm_error_last(). */
#define THREADS 4
#define ROUNDS 10

struct worker {
    int index;
    const char *lead_id;
    int created;        /* activities created */
    int logins;         /* successful logins */
    int wrong_errors;   /* a failure whose crm_error_last() was not this thread's */
};

static void *work(void *arg) {
    struct worker *w = (struct worker *)arg;
    crm_principal *p = NULL;
    crm_tokens *t = NULL;
    int i;
    if (crm_auth_login(&t, db, "tia@example.com", PASSWORD) == CRM_OK) ++w->logins;
    if (crm_auth_authenticate(&p, db, crm_tokens_access_token(t)) != CRM_OK) {
        crm_tokens_free(t);
        return NULL;
    }
    for (i = 0; i < ROUNDS; ++i) {
        crm_activity *a = NULL;
        crm_user *u = NULL;
        char body[64];
        const char *field;
        int rc;
        sprintf(body, "thread %d round %d", w->index, i);
        if (crm_activity_create(&a, db, p, w->lead_id, CRM_ACTIVITY_NOTE, body) == CRM_OK &&
            same(crm_activity_body(a), body))
            ++w->created;
        crm_activity_free(a);
        /* A failure of our own, different for each thread: the error must be ours. */
        switch (w->index % 3) {
            case 0: rc = crm_user_get(&u, db, p, "not-an-id"), field = "id"; break;
            case 1: rc = crm_user_list(NULL, db, p, 1, 20), field = "out"; break;
            default: rc = crm_activity_create(&a, db, p, w->lead_id, (crm_activity_type)9, NULL), field = "type"; break;
        }
        if (rc != CRM_EINVALID || !same(crm_error_field_name(crm_error_last(), 0), field)) ++w->wrong_errors;
    }
    crm_principal_free(p);
    crm_tokens_free(t);
    return NULL;
}

static void test_threads(void) {
    crm_user *u = new_user("tia@example.com", CRM_ROLE_SALES);
    crm_principal *p = login_as("tia@example.com", PASSWORD, NULL);
    crm_lead *lead = new_lead(p, "Busy lead", "");
    crm_activity_page *page = NULL;
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    int i, created = 0;
    begin("threads");
    for (i = 0; i < THREADS; ++i) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].index = i;
        workers[i].lead_id = crm_lead_id(lead);
        CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
    }
    for (i = 0; i < THREADS; ++i) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK(workers[i].logins == 1);
        CHECK(workers[i].created == ROUNDS);
        CHECK(workers[i].wrong_errors == 0);
        created += workers[i].created;
    }
    CHECK_RC(CRM_OK, crm_activity_list(&page, db, p, crm_lead_id(lead), 1, 100));
    CHECK(crm_activity_page_total(page) == created && created == THREADS * ROUNDS);
    crm_activity_page_free(page);
    crm_lead_free(lead);
    crm_principal_free(p);
    crm_user_free(u);
}

static void test_utf8(void) {
    /* Not UTF-8: truncated, overlong, a surrogate, past U+10FFFF, a lone continuation byte, 0xFF. */
    static const char *bad[] = {"\xc3\x28", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok\x80", "\xff"};
    crm_lead_fields *f = NULL;
    crm_lead *lead = NULL;
    size_t i;
    begin("utf8");
    CHECK_RC(CRM_OK, crm_lead_fields_new(&f));
    for (i = 0; i < sizeof bad / sizeof *bad; ++i) {
        CHECK_INVALID("title", crm_lead_fields_set_title(f, bad[i]));
        CHECK(strstr(crm_error_message(crm_error_last()), "UTF-8") != NULL);
    }
    /* Two, three and four byte sequences are fine and come back as given. */
    CHECK_RC(CRM_OK, crm_lead_fields_set_title(f, "Caf\xc3\xa9 \xe2\x98\x95 \xf0\x9d\x84\x9e"));
    CHECK_RC(CRM_OK, crm_lead_fields_set_description(f, ""));
    CHECK_RC(CRM_OK, crm_lead_create(&lead, db, sys, f));
    CHECK_STR("Caf\xc3\xa9 \xe2\x98\x95 \xf0\x9d\x84\x9e", crm_lead_title(lead));
    CHECK_STR("", crm_lead_description(lead));
    crm_lead_free(lead);
    crm_lead_fields_free(f);
}

static void test_null_handles(void) {
    char *json = (char *)&json;
    begin("null-handles");
    /* Getters on NULL: NULL or 0, no crash. */
    CHECK(crm_tokens_access_token(NULL) == NULL && crm_tokens_refresh_token(NULL) == NULL &&
          crm_tokens_user(NULL) == NULL);
    CHECK(crm_user_id(NULL) == NULL && crm_user_email(NULL) == NULL && crm_user_created_at(NULL) == NULL &&
          crm_user_updated_at(NULL) == NULL && crm_user_role(NULL) == CRM_ROLE_INVALID &&
          crm_user_created_at_ms(NULL) == 0 && crm_user_updated_at_ms(NULL) == 0);
    CHECK(crm_lead_id(NULL) == NULL && crm_lead_title(NULL) == NULL && crm_lead_description(NULL) == NULL &&
          crm_lead_source(NULL) == NULL && crm_lead_owner_id(NULL) == NULL && crm_lead_metadata(NULL) == NULL &&
          crm_lead_created_at(NULL) == NULL && crm_lead_updated_at(NULL) == NULL &&
          crm_lead_status_of(NULL) == CRM_LEAD_STATUS_INVALID && crm_lead_created_at_ms(NULL) == 0 &&
          crm_lead_updated_at_ms(NULL) == 0);
    CHECK(crm_activity_id(NULL) == NULL && crm_activity_lead_id(NULL) == NULL && crm_activity_body(NULL) == NULL &&
          crm_activity_created_by(NULL) == NULL && crm_activity_created_at(NULL) == NULL &&
          crm_activity_updated_at(NULL) == NULL && crm_activity_type_of(NULL) == CRM_ACTIVITY_TYPE_INVALID &&
          crm_activity_created_at_ms(NULL) == 0 && crm_activity_updated_at_ms(NULL) == 0);
    CHECK(crm_user_page_count(NULL) == 0 && crm_user_page_at(NULL, 0) == NULL && crm_user_page_number(NULL) == 0 &&
          crm_user_page_limit(NULL) == 0 && crm_user_page_total(NULL) == 0 && crm_user_page_total_pages(NULL) == 0);
    CHECK(crm_lead_page_count(NULL) == 0 && crm_lead_page_at(NULL, 0) == NULL && crm_lead_page_number(NULL) == 0 &&
          crm_lead_page_limit(NULL) == 0 && crm_lead_page_total(NULL) == 0 && crm_lead_page_total_pages(NULL) == 0);
    CHECK(crm_activity_page_count(NULL) == 0 && crm_activity_page_at(NULL, 0) == NULL &&
          crm_activity_page_number(NULL) == 0 && crm_activity_page_limit(NULL) == 0 &&
          crm_activity_page_total(NULL) == 0 && crm_activity_page_total_pages(NULL) == 0);
    /* JSON of nothing is refused, and *out is NULL afterwards. */
    CHECK_INVALID("tokens", crm_tokens_to_json(&json, NULL));
    CHECK(json == NULL);
    CHECK_INVALID("page", crm_user_page_to_json(&json, NULL));
    CHECK_INVALID("page", crm_lead_page_to_json(&json, NULL));
    CHECK_INVALID("page", crm_activity_page_to_json(&json, NULL));
    CHECK_INVALID("out", crm_lead_page_to_json(NULL, NULL));
    /* Every free function accepts NULL. */
    crm_db_free(NULL);
    crm_principal_free(NULL);
    crm_tokens_free(NULL);
    crm_user_free(NULL);
    crm_lead_free(NULL);
    crm_activity_free(NULL);
    crm_user_page_free(NULL);
    crm_lead_page_free(NULL);
    crm_activity_page_free(NULL);
    crm_user_fields_free(NULL);
    crm_lead_fields_free(NULL);
    crm_activity_fields_free(NULL);
    crm_lead_filter_free(NULL);
    crm_free(NULL);
    CHECK(1);
}

/* Counts the leads it sees; stops after `stop_after` when that is positive. */
struct visit_count {
    int seen;
    int stop_after;
};
static int count_visit(const crm_lead *lead, void *context) {
    struct visit_count *c = (struct visit_count *)context;
    if (crm_lead_title(lead) == NULL) return 1;
    ++c->seen;
    return c->stop_after > 0 && c->seen >= c->stop_after;
}

static void test_cursors(void) {
    crm_lead_fields *fields[7];
    crm_lead_page *made = NULL, *page = NULL;
    crm_page_request request = CRM_PAGE_REQUEST_INIT;
    crm_page_request defaults;
    struct visit_count visits = {0, 0};
    char cursor[512];
    char *json = NULL;
    int64_t before;
    size_t i;
    int walked = 0;
    begin("leads/cursors, create_many, for_each");
    CHECK_RC(CRM_OK, crm_page_request_init(&defaults));
    CHECK(defaults.version == CRM_PAGE_REQUEST_VERSION && defaults.page == 1 && defaults.limit == 20 &&
          defaults.cursor == NULL && defaults.with_total == 0);
    CHECK_INVALID("request", crm_page_request_init(NULL));
    CHECK_RC(CRM_OK, crm_lead_list_paged(&page, db, sys, NULL, NULL, NULL));
    before = crm_lead_page_total(page);
    crm_lead_page_free(page);
    page = NULL;

    /* create_many: all or nothing. */
    for (i = 0; i < 7; ++i) {
        CHECK_RC(CRM_OK, crm_lead_fields_new(&fields[i]));
        CHECK_RC(CRM_OK, crm_lead_fields_set_title(fields[i], "cursor lead"));
        CHECK_RC(CRM_OK, crm_lead_fields_set_source(fields[i], "c-abi-cursor"));
    }
    CHECK_RC(CRM_OK, crm_lead_fields_set_title(fields[3], "   "));
    CHECK_INVALID("[3].title", crm_lead_create_many(&made, db, sys, (const crm_lead_fields *const *)fields, 7));
    CHECK(made == NULL);
    CHECK_RC(CRM_OK, crm_lead_fields_set_title(fields[3], "cursor lead"));
    CHECK_RC(CRM_OK, crm_lead_create_many(&made, db, sys, (const crm_lead_fields *const *)fields, 7));
    CHECK(crm_lead_page_count(made) == 7 && crm_lead_page_total(made) == 7);
    CHECK(crm_lead_page_next_cursor(made) == NULL);
    for (i = 0; i < 7; ++i) crm_lead_fields_free(fields[i]);

    /* Page by cursor through every lead, oldest first. */
    request.limit = 3;
    CHECK_RC(CRM_OK, crm_lead_list_paged(&page, db, sys, NULL, "createdAt", &request));
    CHECK(crm_lead_page_number(page) == 1 && crm_lead_page_total(page) == before + 7);
    for (;;) {
        walked += (int)crm_lead_page_count(page);
        if (crm_lead_page_next_cursor(page) == NULL) break;
        CHECK(strlen(crm_lead_page_next_cursor(page)) < sizeof cursor);
        strcpy(cursor, crm_lead_page_next_cursor(page));
        crm_lead_page_free(page);
        page = NULL;
        request.cursor = cursor;
        CHECK_RC(CRM_OK, crm_lead_list_paged(&page, db, sys, NULL, "createdAt", &request));
        CHECK(crm_lead_page_number(page) == 0);
        CHECK(crm_lead_page_total(page) == -1 && crm_lead_page_total_pages(page) == -1);
    }
    CHECK(walked == before + 7);
    crm_lead_page_free(page);
    page = NULL;

    /* with_total counts in cursor mode; JSON shows what was not counted as null. */
    request.cursor = NULL;
    CHECK_RC(CRM_OK, crm_lead_list_paged(&page, db, sys, NULL, "title", &request));
    strcpy(cursor, crm_lead_page_next_cursor(page));
    crm_lead_page_free(page);
    page = NULL;
    request.cursor = cursor;
    CHECK_RC(CRM_OK, crm_lead_list_paged(&page, db, sys, NULL, "title", &request));
    CHECK_RC(CRM_OK, crm_lead_page_to_json(&json, page));
    CHECK(strstr(json, "\"pagination\":{\"page\":null,\"limit\":3,\"total\":null,\"totalPages\":null,") != NULL);
    crm_free(json);
    json = NULL;
    crm_lead_page_free(page);
    page = NULL;
    request.with_total = 1;
    CHECK_RC(CRM_OK, crm_lead_list_paged(&page, db, sys, NULL, "title", &request));
    CHECK(crm_lead_page_total(page) == before + 7);
    crm_lead_page_free(page);
    page = NULL;

    /* A cursor of another sort or list, a changed one, or a page with a cursor: CRM_EINVALID. */
    CHECK_INVALID("cursor", crm_lead_list_paged(&page, db, sys, NULL, "-title", &request));
    CHECK_INVALID("cursor", crm_user_list_paged((crm_user_page **)&page, db, sys, &request));
    cursor[5] = cursor[5] == 'A' ? 'B' : 'A';
    CHECK_INVALID("cursor", crm_lead_list_paged(&page, db, sys, NULL, "title", &request));
    request.page = 2;
    CHECK_INVALID("page", crm_lead_list_paged(&page, db, sys, NULL, "title", &request));
    request.version = 99;
    CHECK_INVALID("request.version", crm_lead_list_paged(&page, db, sys, NULL, "title", &request));
    CHECK(page == NULL);

    /* for_each visits every lead, and stops when asked. */
    CHECK_RC(CRM_OK, crm_lead_for_each(db, sys, NULL, count_visit, &visits));
    CHECK(visits.seen == before + 7);
    visits.seen = 0;
    visits.stop_after = 2;
    CHECK_RC(CRM_OK, crm_lead_for_each(db, sys, NULL, count_visit, &visits));
    CHECK(visits.seen == 2);
    CHECK_INVALID("visit", crm_lead_for_each(db, sys, NULL, NULL, NULL));
    crm_lead_page_free(made);
}

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

    test_version();
    test_enums();
    test_errors();
    test_db_open(url, backend);
    test_system_principal();
    test_users_create();
    test_register_login();
    test_no_secret(url);
    test_throttle(url);
    test_authenticate(url);
    test_refresh();
    test_users_scope();
    test_user_deleted();
    test_long_lived_principal();
    test_leads();
    test_lead_list();
    test_cursors();
    test_activities();
    test_threads();
    test_utf8();
    test_null_handles();

    crm_principal_free(sys);
    crm_db_free(db);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
