/*
 * libcrm from C: open a SQLite database, create the first admin, log in, add a lead and an
 * activity, and list them.
 *
 *     quickstart [PATH]      (default: $TMPDIR/crm-quickstart.db)
 *
 * Running it again on the same file works: the admin exists already, and more leads are added.
 */
#include <crm.h>

#include <stdio.h>
#include <stdlib.h>

/* Every crm_ call that can fail returns CRM_OK (0) or a negative status; crm_error_last() says why. */
static void check(int status, const char *what) {
    const crm_error *error = crm_error_last();
    size_t i;
    if (status == CRM_OK) return;
    fprintf(stderr, "%s: %s (%s)\n", what, crm_error_message(error), crm_status_name(status));
    for (i = 0; i < crm_error_field_count(error); ++i)
        fprintf(stderr, "  %s: %s\n", crm_error_field_name(error, i), crm_error_field_message(error, i));
    exit(1);
}

int main(int argc, char **argv) {
    const char *tmp = getenv("TMPDIR");
    const char *secret = getenv("CRM_JWT_SECRET");
    char url[4096];
    crm_db_options options = CRM_DB_OPTIONS_INIT;
    crm_db *db = NULL;
    crm_principal *system = NULL, *admin = NULL;
    crm_user *created = NULL;
    crm_tokens *tokens = NULL;
    crm_lead_fields *fields = NULL;
    crm_lead *lead = NULL;
    crm_activity *call = NULL;
    crm_lead_page *leads = NULL;
    crm_activity_page *activities = NULL;
    crm_page_request request = CRM_PAGE_REQUEST_INIT; /* page 1 */
    char *json = NULL;
    size_t i;
    int status;

    if (argc > 1) snprintf(url, sizeof url, "sqlite:%s", argv[1]);
    else snprintf(url, sizeof url, "sqlite:%s/crm-quickstart.db", tmp && *tmp ? tmp : "/tmp");

    /* 1. Open and migrate. The secret signs access tokens: at least 32 bytes, kept secret. */
    options.jwt_secret = secret && *secret ? secret : "quickstart-only-secret-do-not-use-0123456789";
    check(crm_db_open(&db, url, &options), "crm_db_open");
    check(crm_db_migrate(db), "crm_db_migrate");
    printf("opened %s\n", url);

    /* 2. The host application itself (the system principal) creates the first ADMIN. */
    check(crm_principal_system(&system), "crm_principal_system");
    status = crm_user_create(&created, db, system, "admin@example.com", "change-me-please", "Ada Admin",
                             CRM_ROLE_ADMIN);
    if (status == CRM_ECONFLICT) printf("admin@example.com exists already\n");
    else check(status, "crm_user_create");

    /* 3. Log in, and turn the access token into the principal that acts (a server does this per request). */
    check(crm_auth_login(&tokens, db, "admin@example.com", "change-me-please"), "crm_auth_login");
    check(crm_auth_authenticate(&admin, db, crm_tokens_access_token(tokens)), "crm_auth_authenticate");
    printf("logged in as %s (%s)\n", crm_user_name(crm_tokens_user(tokens)), crm_role_name(crm_principal_role(admin)));

    /* 4. A lead: set the fields you want; the others keep their defaults (status NEW, owner: the caller). */
    check(crm_lead_fields_new(&fields), "crm_lead_fields_new");
    check(crm_lead_fields_set_title(fields, "Acme Corp: 250 seats"), "title");
    check(crm_lead_fields_set_source(fields, "web"), "source");
    check(crm_lead_fields_set_metadata(fields, "{\"employees\": 250, \"region\": \"EU\"}"), "metadata");
    check(crm_lead_create(&lead, db, admin, fields), "crm_lead_create");

    /* 5. An activity on that lead. */
    check(crm_activity_create(&call, db, admin, crm_lead_id(lead), CRM_ACTIVITY_CALL, "Intro call booked"),
          "crm_activity_create");

    /* 6. List: newest leads first, then the lead's activities; getters borrow from their handle. */
    request.limit = 10;
    check(crm_lead_list(&leads, db, admin, NULL, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING, &request),
          "crm_lead_list");
    printf("%lld lead(s):\n", (long long)crm_lead_page_total(leads));
    for (i = 0; i < crm_lead_page_count(leads); ++i) {
        const crm_lead *l = crm_lead_page_at(leads, i);
        printf("  %s  %-9s  %s\n", crm_lead_created_at(l), crm_lead_status_name(crm_lead_status(l)),
               crm_lead_title(l));
    }
    check(crm_activity_list(&activities, db, admin, crm_lead_id(lead), &request), "crm_activity_list");
    for (i = 0; i < crm_activity_page_count(activities); ++i) {
        const crm_activity *a = crm_activity_page_at(activities, i);
        printf("  activity %s: %s\n", crm_activity_type_name(crm_activity_type(a)), crm_activity_body(a));
    }

    /* JSON in the HTTP API's shape; library-allocated text is released with crm_free(). */
    check(crm_lead_to_json(&json, lead), "crm_lead_to_json");
    printf("%s\n", json);
    crm_free(json);

    /* Everything that came back through an out-parameter is the caller's to free. */
    crm_activity_page_free(activities);
    crm_lead_page_free(leads);
    crm_activity_free(call);
    crm_lead_free(lead);
    crm_lead_fields_free(fields);
    crm_principal_free(admin);
    crm_tokens_free(tokens);
    crm_user_free(created);
    crm_principal_free(system);
    crm_db_free(db);
    return 0;
}
