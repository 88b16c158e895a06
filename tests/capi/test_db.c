/*
 * The database handle: version, options, open and migrate, the system principal, one crm_db shared by threads.
 * Run by capi_test.c's main() on a new scratch database (tests/capi/with-scratch-db.sh).
 */
#include "capi_test.h"

#include <pthread.h>

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
    o.jwt_algorithm = (crm_jwt_algorithm_t)7;
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
            case 1: rc = crm_user_list(NULL, db, p, PAGE(1, 20)), field = "out"; break;
            default: rc = crm_activity_create(&a, db, p, w->lead_id, (crm_activity_type_t)9, NULL), field = "type"; break;
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
    CHECK_RC(CRM_OK, crm_activity_list(&page, db, p, crm_lead_id(lead), PAGE(1, 100)));
    CHECK(crm_activity_page_total(page) == created && created == THREADS * ROUNDS);
    crm_activity_page_free(page);
    crm_lead_free(lead);
    crm_principal_free(p);
    crm_user_free(u);
}

void run_cases(const char *url, const char *backend) {
    test_version();
    test_db_open(url, backend);
    test_system_principal();
    test_threads();
}
