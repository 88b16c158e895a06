/*
 * Users: create, the scope of each role (get, list, update, delete), a deleted user.
 * Run by capi_test.c's main() on a new scratch database (tests/capi/with-scratch-db.sh).
 */
#include "capi_test.h"

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
    CHECK_INVALID("role", crm_user_create(&u, db, sys, "role@example.com", PASSWORD, NULL, (crm_role_t)3));
    CHECK_INVALID("name", crm_user_create(&u, db, sys, "utf@example.com", PASSWORD, "\xc3", CRM_ROLE_SALES));
    CHECK_INVALID("email", crm_user_create(&u, db, sys, NULL, PASSWORD, NULL, CRM_ROLE_SALES));
    CHECK_INVALID("password", crm_user_create(&u, db, sys, "nopw@example.com", NULL, NULL, CRM_ROLE_SALES));
    CHECK_INVALID("actor", crm_user_create(&u, db, NULL, "x@example.com", PASSWORD, NULL, CRM_ROLE_SALES));
    CHECK_INVALID("db", crm_user_create(&u, NULL, sys, "x@example.com", PASSWORD, NULL, CRM_ROLE_SALES));
    CHECK_INVALID("out", crm_user_create(NULL, db, sys, "x@example.com", PASSWORD, NULL, CRM_ROLE_SALES));
    crm_user_free(admin);
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
    CHECK_RC(CRM_OK, crm_user_list(&page, db, sys, PAGE(1, CRM_PAGE_DEFAULT_LIMIT)));
    crm_user_page_free(page);
    CHECK_RC(CRM_OK, crm_user_list(&page, db, admin_p, PAGE(1, 2)));
    total = crm_user_page_total(page);
    pages = crm_user_page_total_pages(page);
    CHECK(total == 5); /* admin and carol (users/create), mia, sam, sue */
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
        CHECK_RC(CRM_OK, crm_user_list(&page, db, admin_p, PAGE(i, 2)));
        seen += (int64_t)crm_user_page_count(page);
        crm_user_page_free(page);
    }
    CHECK(seen == total);
    page = NULL;
    CHECK_RC(CRM_OK, crm_user_list(&page, db, admin_p, PAGE(pages + 1, 2)));
    CHECK(crm_user_page_count(page) == 0 && crm_user_page_total(page) == total);
    crm_user_page_free(page);
    page = NULL;
    CHECK_RC(CRM_EFORBIDDEN, crm_user_list(&page, db, mgr_p, PAGE(1, 20)));
    CHECK_RC(CRM_EFORBIDDEN, crm_user_list(&page, db, s1_p, PAGE(1, 20)));
    CHECK(page == NULL);
    CHECK_INVALID("page", crm_user_list(&page, db, admin_p, PAGE(0, 20)));
    CHECK_INVALID("limit", crm_user_list(&page, db, admin_p, PAGE(1, 0)));
    CHECK_INVALID("limit", crm_user_list(&page, db, admin_p, PAGE(1, CRM_PAGE_MAX_LIMIT + 1)));
    CHECK_INVALID("actor", crm_user_list(&page, db, NULL, PAGE(1, 20)));
    CHECK_INVALID("out", crm_user_list(NULL, db, admin_p, PAGE(1, 20)));

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
        CHECK_INVALID("role", crm_user_fields_set_role(f, (crm_role_t)-1));
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

void run_cases(const char *url, const char *backend) {
    (void)backend;
    open_fixture(url);
    test_users_create();
    test_users_scope();
    test_user_deleted();
}
