/*
 * Errors and hostile arguments: crm_error_last(), invalid UTF-8, NULL handles.
 * Run by capi_test.c's main() on a new scratch database (tests/capi/with-scratch-db.sh).
 */
#include "capi_test.h"

static void test_errors(void) {
    const crm_error *e;
    crm_role_t role;
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
          crm_lead_status(NULL) == CRM_LEAD_STATUS_INVALID && crm_lead_created_at_ms(NULL) == 0 &&
          crm_lead_updated_at_ms(NULL) == 0);
    CHECK(crm_activity_id(NULL) == NULL && crm_activity_lead_id(NULL) == NULL && crm_activity_body(NULL) == NULL &&
          crm_activity_created_by(NULL) == NULL && crm_activity_created_at(NULL) == NULL &&
          crm_activity_updated_at(NULL) == NULL && crm_activity_type(NULL) == CRM_ACTIVITY_TYPE_INVALID &&
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

void run_cases(const char *url, const char *backend) {
    (void)backend;
    open_fixture(url);
    test_errors();
    test_utf8();
    test_null_handles();
}
