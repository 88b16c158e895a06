/*
 * The C ABI test support shared by every tests/capi/test_<noun>.c: a very small harness (CHECK
 * macros counting passes and failures), the fixture (`db`, `sys`) and helpers. Each test file
 * defines run_cases(); capi_test.c's main() reads CRM_TEST_DB_URL and CRM_TEST_BACKEND, calls it
 * and prints "N passed, M failed". Plain C99, crm.h only.
 */
#ifndef CRM_CAPI_TEST_H
#define CRM_CAPI_TEST_H

#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <crm.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Harness ------------------------------------------------------------------------------ */

/* Names the case that the next failures belong to ("users/create") and prints it. */
void begin(const char *name);
int check(int ok, const char *expr, const char *file, int line);
int check_rc(int expected, int got, const char *call, const char *file, int line);
int check_str(const char *expected, const char *got, const char *expr, const char *file, int line);
int check_invalid(const char *field, int got, const char *call, const char *file, int line);
/* Both NULL, or equal strings. */
int same(const char *a, const char *b);

#define CHECK(expr) check(!!(expr), #expr, __FILE__, __LINE__)
#define CHECK_RC(expected, call) check_rc((expected), (call), #call, __FILE__, __LINE__)
#define CHECK_STR(expected, got) check_str((expected), (got), #got, __FILE__, __LINE__)
/* The call fails with CRM_EINVALID naming `field`. */
#define CHECK_INVALID(field, call) check_invalid((field), (call), #call, __FILE__, __LINE__)

/* A page request for page `page` of `limit` rows (a compound literal: one per call site). */
#define PAGE(page, limit) (&(crm_page_request){CRM_PAGE_REQUEST_VERSION, (page), (limit), NULL, 0})

/* ---- Fixture ------------------------------------------------------------------------------ */

#define SECRET "capi-test-secret-0123456789abcdef-0123456789"
#define PASSWORD "password123"

/* The database under test and the system principal: set by open_fixture() (test_db.c sets them
 * itself, through the calls it tests). */
extern crm_db *db;
extern crm_principal *sys;

/* Opens and migrates `url` with test_options() into `db` and makes `sys`; exits on failure. */
void open_fixture(const char *url);
/* Fast Argon2id (libsodium's minimum cost) and the test secret. */
crm_db_options test_options(void);
/* A user created by the system principal, with PASSWORD. */
crm_user *new_user(const char *email, crm_role_t role);
/* Logs in and authenticates; the tokens are kept when `tokens` is not NULL. */
crm_principal *login_as(const char *email, const char *password, crm_tokens **tokens);
/* A lead with this title (and owner: "" = leave unset, NULL = unowned, else that id). */
crm_lead *new_lead(const crm_principal *actor, const char *title, const char *owner);
/* `json` with every space and newline removed (PostgreSQL's jsonb writes spaces). */
void squeeze(char *json);
int starts_with(const char *s, const char *prefix);

/* The cases of one test file, in order, on the new database at `url` of `backend`. */
void run_cases(const char *url, const char *backend);

#endif /* CRM_CAPI_TEST_H */
