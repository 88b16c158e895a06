/*
 * Activities: create, get, update, delete, list a lead's.
 * Run by capi_test.c's main() on a new scratch database (tests/capi/with-scratch-db.sh).
 */
#include "capi_test.h"

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
    CHECK(crm_activity_type(a) == CRM_ACTIVITY_CALL);
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
    CHECK_INVALID("type", crm_activity_create(&b, db, p1, crm_lead_id(lead), (crm_activity_type_t)3, NULL));
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
    CHECK_RC(CRM_OK, crm_activity_list(&page, db, p1, crm_lead_id(lead), PAGE(1, 20)));
    CHECK(crm_activity_page_total(page) == 5 && crm_activity_page_count(page) == 5);
    CHECK_STR(crm_activity_id(b), crm_activity_id(crm_activity_page_at(page, 0)));
    CHECK_STR(crm_activity_id(a), crm_activity_id(crm_activity_page_at(page, 4)));
    CHECK(crm_activity_page_at(page, 5) == NULL);
    crm_activity_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_activity_list(&page, db, pm, crm_lead_id(lead), PAGE(3, 2)));
    CHECK(crm_activity_page_number(page) == 3 && crm_activity_page_limit(page) == 2);
    CHECK(crm_activity_page_total_pages(page) == 3 && crm_activity_page_count(page) == 1);
    CHECK_STR(crm_activity_id(a), crm_activity_id(crm_activity_page_at(page, 0)));
    CHECK_RC(CRM_OK, crm_activity_page_to_json(&json, page));
    CHECK(strstr(json, "\"pagination\":{\"page\":3,\"limit\":2,\"total\":5,\"totalPages\":3,\"nextCursor\":null}") != NULL);
    crm_free(json);
    json = NULL;
    crm_activity_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_activity_list(&page, db, p1, crm_lead_id(lead2), PAGE(1, 20)));
    CHECK(crm_activity_page_total(page) == 0 && crm_activity_page_total_pages(page) == 0);
    crm_activity_page_free(page);
    page = NULL;
    CHECK_RC(CRM_ENOTFOUND, crm_activity_list(&page, db, p2, crm_lead_id(lead), PAGE(1, 20)));
    CHECK(page == NULL);
    CHECK_RC(CRM_ENOTFOUND, crm_activity_list(&page, db, p1, missing, PAGE(1, 20)));
    CHECK_INVALID("limit", crm_activity_list(&page, db, p1, crm_lead_id(lead), PAGE(1, 0)));
    CHECK_INVALID("lead_id", crm_activity_list(&page, db, p1, "x", PAGE(1, 20)));
    CHECK_INVALID("out", crm_activity_list(NULL, db, p1, crm_lead_id(lead), PAGE(1, 20)));

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
    CHECK(crm_activity_type(got) == CRM_ACTIVITY_NOTE);
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
    CHECK_INVALID("type", crm_activity_fields_set_type(f, (crm_activity_type_t)-2));
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

void run_cases(const char *url, const char *backend) {
    (void)backend;
    open_fixture(url);
    test_activities();
}
