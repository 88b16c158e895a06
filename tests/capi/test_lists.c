/*
 * Lead lists: filters, sort key and direction, pages; cursors and crm_lead_for_each().
 * Run by capi_test.c's main() on a new scratch database (tests/capi/with-scratch-db.sh).
 */
#include "capi_test.h"

static void test_lead_list(void) {
    static const char *titles[] = {"Alpha", "Bravo", "Charlie", "Delta", "Echo"};
    static const crm_lead_status_t statuses[] = {CRM_LEAD_CLOSED, CRM_LEAD_NEW, CRM_LEAD_QUALIFIED, CRM_LEAD_CONTACTED,
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
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, NULL, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING, PAGE(1, 20)));
    CHECK(crm_lead_page_total(page) == 5 && crm_lead_page_count(page) == 5);
    CHECK_STR("Echo", crm_lead_title(crm_lead_page_at(page, 0)));
    CHECK_STR("Alpha", crm_lead_title(crm_lead_page_at(page, 4)));
    CHECK(crm_lead_page_at(page, 5) == NULL);
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, NULL, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_ASCENDING, PAGE(1, 20)));
    CHECK_STR("Alpha", crm_lead_title(crm_lead_page_at(page, 0)));
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, NULL, CRM_LEAD_SORT_TITLE, CRM_SORT_DESCENDING, PAGE(1, 20)));
    CHECK_STR("Echo", crm_lead_title(crm_lead_page_at(page, 0)));
    CHECK_STR("Alpha", crm_lead_title(crm_lead_page_at(page, 4)));
    crm_lead_page_free(page);
    page = NULL;
    /* Status in pipeline order, ties by id (creation order). */
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, NULL, CRM_LEAD_SORT_STATUS, CRM_SORT_ASCENDING, PAGE(1, 20)));
    CHECK_STR("Bravo", crm_lead_title(crm_lead_page_at(page, 0)));
    CHECK_STR("Echo", crm_lead_title(crm_lead_page_at(page, 1)));
    CHECK_STR("Delta", crm_lead_title(crm_lead_page_at(page, 2)));
    CHECK_STR("Charlie", crm_lead_title(crm_lead_page_at(page, 3)));
    CHECK_STR("Alpha", crm_lead_title(crm_lead_page_at(page, 4)));
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, NULL, CRM_LEAD_SORT_UPDATED_AT, CRM_SORT_ASCENDING, PAGE(1, 20)));
    CHECK(crm_lead_page_count(page) == 5);
    crm_lead_page_free(page);
    page = NULL;
    CHECK_INVALID("sort", crm_lead_list(&page, db, p, NULL, (crm_lead_sort_t)4, CRM_SORT_ASCENDING, PAGE(1, 20)));
    CHECK_INVALID("sort", crm_lead_list(&page, db, p, NULL, (crm_lead_sort_t)-1, CRM_SORT_ASCENDING, PAGE(1, 20)));
    CHECK_INVALID("direction", crm_lead_list(&page, db, p, NULL, CRM_LEAD_SORT_TITLE, (crm_sort_direction_t)2, PAGE(1, 20)));
    CHECK(page == NULL);

    /* Pages. */
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, NULL, CRM_LEAD_SORT_TITLE, CRM_SORT_ASCENDING, PAGE(2, 2)));
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
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, NULL, CRM_LEAD_SORT_TITLE, CRM_SORT_ASCENDING, PAGE(3, 2)));
    CHECK(crm_lead_page_count(page) == 1);
    crm_lead_page_free(page);
    page = NULL;
    CHECK_INVALID("page", crm_lead_list(&page, db, p, NULL, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING, PAGE(0, 20)));
    CHECK_INVALID("limit", crm_lead_list(&page, db, p, NULL, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING, PAGE(1, 101)));
    CHECK_INVALID("limit", crm_lead_list(&page, db, p, NULL, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING, PAGE(1, -1)));

    /* Filters. */
    CHECK_INVALID("out", crm_lead_filter_new(NULL));
    CHECK_RC(CRM_OK, crm_lead_filter_new(&filter));
    {
        crm_lead_status_t wanted[2];
        wanted[0] = CRM_LEAD_QUALIFIED;
        wanted[1] = CRM_LEAD_CLOSED;
        CHECK_RC(CRM_OK, crm_lead_filter_set_statuses(filter, wanted, 2));
        CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, filter, CRM_LEAD_SORT_TITLE, CRM_SORT_ASCENDING, PAGE(1, 20)));
        CHECK(crm_lead_page_total(page) == 2);
        CHECK_STR("Alpha", crm_lead_title(crm_lead_page_at(page, 0)));
        CHECK_STR("Charlie", crm_lead_title(crm_lead_page_at(page, 1)));
        crm_lead_page_free(page);
        page = NULL;
        wanted[1] = (crm_lead_status_t)9;
        CHECK_INVALID("statuses[1]", crm_lead_filter_set_statuses(filter, wanted, 2));
        CHECK_INVALID("statuses", crm_lead_filter_set_statuses(filter, NULL, 1));
        CHECK_RC(CRM_OK, crm_lead_filter_set_statuses(filter, NULL, 0)); /* any status again */
    }
    CHECK_RC(CRM_OK, crm_lead_filter_set_source(filter, "phone"));
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, filter, CRM_LEAD_SORT_TITLE, CRM_SORT_ASCENDING, PAGE(1, 20)));
    CHECK(crm_lead_page_total(page) == 2); /* Bravo, Delta */
    crm_lead_page_free(page);
    page = NULL;
    crm_lead_filter_free(filter);
    filter = NULL;
    CHECK_RC(CRM_OK, crm_lead_filter_new(&filter));
    CHECK_RC(CRM_OK, crm_lead_filter_set_query(filter, "LPH"));
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, filter, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING, PAGE(1, 20)));
    CHECK(crm_lead_page_total(page) == 1);
    CHECK_STR("Alpha", crm_lead_title(crm_lead_page_at(page, 0)));
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_filter_set_query(filter, "list of prices")); /* the description too */
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, filter, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING, PAGE(1, 20)));
    CHECK(crm_lead_page_total(page) == 1);
    CHECK_STR("Delta", crm_lead_title(crm_lead_page_at(page, 0)));
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_filter_set_query(filter, "100%_"));
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, filter, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING, PAGE(1, 20)));
    CHECK(crm_lead_page_total(page) == 0);
    crm_lead_page_free(page);
    page = NULL;
    crm_lead_filter_free(filter);
    filter = NULL;
    /* Owner: a user, or NULL for unowned leads. */
    CHECK_RC(CRM_OK, crm_lead_filter_new(&filter));
    CHECK_RC(CRM_OK, crm_lead_filter_set_owner_id(filter, crm_user_id(owner)));
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, admin_p, filter, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING, PAGE(1, 20)));
    CHECK(crm_lead_page_total(page) == 5);
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_filter_set_owner_id(filter, crm_principal_user_id(admin_p)));
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, p, filter, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING, PAGE(1, 20)));
    CHECK(crm_lead_page_total(page) == 0); /* SALES asking for another owner find nothing */
    crm_lead_page_free(page);
    page = NULL;
    CHECK_RC(CRM_OK, crm_lead_filter_set_owner_id(filter, NULL));
    CHECK_RC(CRM_OK, crm_lead_filter_set_source(filter, "fair"));
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, admin_p, filter, CRM_LEAD_SORT_TITLE, CRM_SORT_ASCENDING, PAGE(1, 20)));
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
    CHECK_INVALID("actor", crm_lead_list(&page, db, NULL, filter, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING, PAGE(1, 20)));
    CHECK_INVALID("out", crm_lead_list(NULL, db, p, filter, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING, PAGE(1, 20)));
    CHECK_INVALID("db", crm_lead_list(&page, NULL, p, filter, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING, PAGE(1, 20)));
    crm_lead_filter_free(filter);
    crm_lead_filter_free(NULL);

    crm_lead_free(fair1);
    crm_lead_free(fair2);
    crm_user_free(owner);
    crm_principal_free(p);
    crm_principal_free(admin_p);
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
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, sys, NULL, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING, NULL));
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
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, sys, NULL, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_ASCENDING, &request));
    CHECK(crm_lead_page_number(page) == 1 && crm_lead_page_total(page) == before + 7);
    for (;;) {
        walked += (int)crm_lead_page_count(page);
        if (crm_lead_page_next_cursor(page) == NULL) break;
        CHECK(strlen(crm_lead_page_next_cursor(page)) < sizeof cursor);
        strcpy(cursor, crm_lead_page_next_cursor(page));
        crm_lead_page_free(page);
        page = NULL;
        request.cursor = cursor;
        CHECK_RC(CRM_OK, crm_lead_list(&page, db, sys, NULL, CRM_LEAD_SORT_CREATED_AT, CRM_SORT_ASCENDING, &request));
        CHECK(crm_lead_page_number(page) == 0);
        CHECK(crm_lead_page_total(page) == -1 && crm_lead_page_total_pages(page) == -1);
    }
    CHECK(walked == before + 7);
    crm_lead_page_free(page);
    page = NULL;

    /* with_total counts in cursor mode; JSON shows what was not counted as null. */
    request.cursor = NULL;
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, sys, NULL, CRM_LEAD_SORT_TITLE, CRM_SORT_ASCENDING, &request));
    strcpy(cursor, crm_lead_page_next_cursor(page));
    crm_lead_page_free(page);
    page = NULL;
    request.cursor = cursor;
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, sys, NULL, CRM_LEAD_SORT_TITLE, CRM_SORT_ASCENDING, &request));
    CHECK_RC(CRM_OK, crm_lead_page_to_json(&json, page));
    CHECK(strstr(json, "\"pagination\":{\"page\":null,\"limit\":3,\"total\":null,\"totalPages\":null,") != NULL);
    crm_free(json);
    json = NULL;
    crm_lead_page_free(page);
    page = NULL;
    request.with_total = 1;
    CHECK_RC(CRM_OK, crm_lead_list(&page, db, sys, NULL, CRM_LEAD_SORT_TITLE, CRM_SORT_ASCENDING, &request));
    CHECK(crm_lead_page_total(page) == before + 7);
    crm_lead_page_free(page);
    page = NULL;

    /* A cursor of another sort or list, a changed one, or a page with a cursor: CRM_EINVALID. */
    CHECK_INVALID("cursor", crm_lead_list(&page, db, sys, NULL, CRM_LEAD_SORT_TITLE, CRM_SORT_DESCENDING, &request));
    CHECK_INVALID("cursor", crm_user_list((crm_user_page **)&page, db, sys, &request));
    cursor[5] = cursor[5] == 'A' ? 'B' : 'A';
    CHECK_INVALID("cursor", crm_lead_list(&page, db, sys, NULL, CRM_LEAD_SORT_TITLE, CRM_SORT_ASCENDING, &request));
    request.page = 2;
    CHECK_INVALID("page", crm_lead_list(&page, db, sys, NULL, CRM_LEAD_SORT_TITLE, CRM_SORT_ASCENDING, &request));
    request.version = 99;
    CHECK_INVALID("request.version", crm_lead_list(&page, db, sys, NULL, CRM_LEAD_SORT_TITLE, CRM_SORT_ASCENDING, &request));
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

void run_cases(const char *url, const char *backend) {
    (void)backend;
    open_fixture(url);
    crm_user_free(new_user("admin@example.com", CRM_ROLE_ADMIN)); /* as users/create leaves it */
    test_lead_list();
    test_cursors();
}
