/*
 * Authentication: register, login, a database without a secret, throttling, authenticate, refresh, a kept principal.
 * Run by capi_test.c's main() on a new scratch database (tests/capi/with-scratch-db.sh).
 */
#include "capi_test.h"

#include <time.h>

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
        CHECK_RC(CRM_OK, crm_user_list(&page, plain, sys, PAGE(1, 10)));
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

void run_cases(const char *url, const char *backend) {
    (void)backend;
    open_fixture(url);
    test_register_login();
    test_no_secret(url);
    test_throttle(url);
    test_authenticate(url);
    test_refresh();
    test_long_lived_principal();
}
