/*
 * Leads: create, get, update, delete, fields, JSON.
 * Run by capi_test.c's main() on a new scratch database (tests/capi/with-scratch-db.sh).
 */
#include "capi_test.h"

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
    CHECK(crm_lead_status(lead) == CRM_LEAD_NEW);
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
    CHECK_INVALID("status", crm_lead_fields_set_status(f, (crm_lead_status_t)4));
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
    CHECK(crm_lead_status(got) == CRM_LEAD_CONTACTED);
    crm_lead_free(got);
    got = NULL;
    crm_lead_fields_free(f);
    f = NULL;

    /* Partial update: what is not set stays; NULL sets null. */
    CHECK_RC(CRM_OK, crm_lead_fields_new(&f));
    CHECK_RC(CRM_OK, crm_lead_fields_set_status(f, CRM_LEAD_QUALIFIED));
    CHECK_RC(CRM_OK, crm_lead_update(&got, db, s1_p, crm_lead_id(lead), f));
    CHECK(crm_lead_status(got) == CRM_LEAD_QUALIFIED);
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
    CHECK(crm_lead_status(got) == CRM_LEAD_QUALIFIED);
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

void run_cases(const char *url, const char *backend) {
    (void)backend;
    open_fixture(url);
    crm_user_free(new_user("admin@example.com", CRM_ROLE_ADMIN)); /* as users/create leaves it */
    test_leads();
}
