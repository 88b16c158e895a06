/*
 * The enums: wire names, parsing, and the sort key and direction of crm_lead_list().
 * Run by capi_test.c's main() on a new scratch database (tests/capi/with-scratch-db.sh).
 */
#include "capi_test.h"

static void test_enums(void) {
    crm_role_t role = CRM_ROLE_ADMIN;
    crm_lead_status_t status = CRM_LEAD_NEW;
    crm_activity_type_t type = CRM_ACTIVITY_NOTE;
    crm_jwt_algorithm_t alg = CRM_JWT_HS256;
    crm_lead_sort_t sort = CRM_LEAD_SORT_CREATED_AT;
    begin("enums");
    CHECK_STR("ADMIN", crm_role_name(CRM_ROLE_ADMIN));
    CHECK_STR("MANAGER", crm_role_name(CRM_ROLE_MANAGER));
    CHECK_STR("SALES", crm_role_name(CRM_ROLE_SALES));
    CHECK_STR(NULL, crm_role_name((crm_role_t)3));
    CHECK_STR(NULL, crm_role_name((crm_role_t)-1));
    CHECK_STR("NEW", crm_lead_status_name(CRM_LEAD_NEW));
    CHECK_STR("CONTACTED", crm_lead_status_name(CRM_LEAD_CONTACTED));
    CHECK_STR("QUALIFIED", crm_lead_status_name(CRM_LEAD_QUALIFIED));
    CHECK_STR("CLOSED", crm_lead_status_name(CRM_LEAD_CLOSED));
    CHECK_STR(NULL, crm_lead_status_name((crm_lead_status_t)4));
    CHECK_STR("NOTE", crm_activity_type_name(CRM_ACTIVITY_NOTE));
    CHECK_STR("CALL", crm_activity_type_name(CRM_ACTIVITY_CALL));
    CHECK_STR("EMAIL", crm_activity_type_name(CRM_ACTIVITY_EMAIL));
    CHECK_STR(NULL, crm_activity_type_name((crm_activity_type_t)99));
    CHECK_STR("HS256", crm_jwt_algorithm_name(CRM_JWT_HS256));
    CHECK_STR("HS384", crm_jwt_algorithm_name(CRM_JWT_HS384));
    CHECK_STR("HS512", crm_jwt_algorithm_name(CRM_JWT_HS512));
    CHECK_STR(NULL, crm_jwt_algorithm_name((crm_jwt_algorithm_t)3));

    CHECK_STR("createdAt", crm_lead_sort_name(CRM_LEAD_SORT_CREATED_AT));
    CHECK_STR("updatedAt", crm_lead_sort_name(CRM_LEAD_SORT_UPDATED_AT));
    CHECK_STR("title", crm_lead_sort_name(CRM_LEAD_SORT_TITLE));
    CHECK_STR("status", crm_lead_sort_name(CRM_LEAD_SORT_STATUS));
    CHECK_STR(NULL, crm_lead_sort_name((crm_lead_sort_t)4));
    CHECK(CRM_SORT_DESCENDING == 0 && CRM_SORT_ASCENDING == 1);

    CHECK_RC(CRM_OK, crm_role_parse(&role, "MANAGER"));
    CHECK(role == CRM_ROLE_MANAGER);
    CHECK_RC(CRM_OK, crm_lead_status_parse(&status, "QUALIFIED"));
    CHECK(status == CRM_LEAD_QUALIFIED);
    CHECK_RC(CRM_OK, crm_activity_type_parse(&type, "EMAIL"));
    CHECK(type == CRM_ACTIVITY_EMAIL);
    CHECK_RC(CRM_OK, crm_jwt_algorithm_parse(&alg, "HS512"));
    CHECK(alg == CRM_JWT_HS512);
    CHECK_RC(CRM_OK, crm_lead_sort_parse(&sort, "updatedAt"));
    CHECK(sort == CRM_LEAD_SORT_UPDATED_AT);
    /* Exact wire names only. */
    CHECK_INVALID("name", crm_role_parse(&role, "manager"));
    CHECK(strstr(crm_error_message(crm_error_last()), "ADMIN, MANAGER, SALES") != NULL);
    CHECK_INVALID("name", crm_lead_status_parse(&status, ""));
    CHECK_INVALID("name", crm_activity_type_parse(&type, "MEETING"));
    CHECK_INVALID("name", crm_jwt_algorithm_parse(&alg, "none"));
    CHECK_INVALID("name", crm_lead_sort_parse(&sort, "-title")); /* a key: the direction is its own argument */
    CHECK_INVALID("name", crm_role_parse(&role, NULL));
    CHECK_INVALID("name", crm_role_parse(&role, "ADMIN\xff"));
    CHECK_INVALID("out", crm_role_parse(NULL, "ADMIN"));
    CHECK(role == CRM_ROLE_MANAGER); /* untouched by the failures */
}

void run_cases(const char *url, const char *backend) {
    (void)backend;
    open_fixture(url);
    test_enums();
}
