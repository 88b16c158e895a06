/**
 * @file crm.h
 * libcrm C ABI: a C99 skin over the C++ API (crm::Service). Every business rule (validation,
 * the RBAC policy, token rotation) lives in the core; these functions convert arguments, call
 * one operation and convert the result or the error.
 *
 * Conventions
 * - A function that can fail returns int: CRM_OK (0) or a negative crm_status_t. Details of the
 *   last failure on the calling thread come from crm_error_last().
 * - Out-parameters come first and are named `out`. On entry *out is set to NULL; on success it
 *   receives a new handle owned by the caller, freed with the matching crm_<noun>_free().
 * - Every input string must be valid UTF-8 and NUL-terminated; a NULL where a value is required,
 *   invalid UTF-8, an out-of-range enum or malformed JSON is CRM_EINVALID, and the error names the
 *   argument ("email must be valid UTF-8").
 * - Ids are UUIDs in canonical text (either letter case on input, lower case on output).
 *   Timestamps come as RFC 3339 text ("2026-11-28T05:48:00.123Z") and as milliseconds since the
 *   Unix epoch.
 * - Names: functions are `crm_<noun>_<verb>` (crm_lead_create) and getters `crm_<noun>_<field>`
 *   (crm_user_role, crm_lead_status, crm_activity_type), handles are incomplete structs named for
 *   their noun (crm_lead), enum types end in _t (crm_lead_status_t), as in libgit2, so that no
 *   getter needs another name than its field's.
 * - `const char *` getters borrow from their handle: valid until the handle is freed. Getters
 *   given NULL return NULL (or 0); they never change crm_error_last().
 * - Library-allocated `char *` results are released with crm_free(), never with free().
 *
 * Threading
 * - A crm_db is thread-safe: any number of threads may call operations on one crm_db at once
 *   (it holds a connection pool). crm_db_free() must not race with other calls on that db.
 * - Every other handle (principal, user, lead, activity, tokens, pages, *_fields, filters) is
 *   used by one thread at a time; distinct handles may be used on distinct threads freely.
 *   Reading a handle from several threads at once is also safe: getters, and passing a
 *   principal, a *_fields or a filter handle as an input to operations running concurrently.
 * - crm_error_last() is per thread.
 */
#ifndef CRM_H
#define CRM_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32) && !defined(CRM_STATIC)
#if defined(CRM_BUILDING)
#define CRM_API __declspec(dllexport)
#else
#define CRM_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define CRM_API __attribute__((visibility("default")))
#else
/** Marks the functions the shared library exports. */
#define CRM_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version ------------------------------------------------------------------------------ */

/**@{*/
/** The version of this header. The library checks at build time that they equal the project's
 * version; a binding compares CRM_VERSION_NUMBER with crm_version_number() to detect a header
 * and library mismatch. */
#define CRM_VERSION_MAJOR 0
#define CRM_VERSION_MINOR 1
#define CRM_VERSION_PATCH 0
#define CRM_VERSION_STRING "0.1.0"
/**@}*/
/** MAJOR * 1000000 + MINOR * 1000 + PATCH, as SQLite does. */
#define CRM_VERSION_NUMBER (CRM_VERSION_MAJOR * 1000000 + CRM_VERSION_MINOR * 1000 + CRM_VERSION_PATCH)

/** The library's version, "MAJOR.MINOR.PATCH". The string is static and owned by the library. */
CRM_API const char *crm_version(void);
/** The library's CRM_VERSION_NUMBER. Nothing is allocated. */
CRM_API int crm_version_number(void);

/* ---- Status and errors -------------------------------------------------------------------- */

/** Results of every function that can fail. Frozen: values are only ever added. */
typedef enum crm_status_t {
    CRM_OK = 0,
    CRM_ENOTFOUND = -1,     /**< no such object in the caller's scope */
    CRM_ECONFLICT = -2,     /**< a unique value is taken; the last ADMIN */
    CRM_EINVALID = -3,      /**< an argument fails validation; see the field errors */
    CRM_EUNAUTHORIZED = -4, /**< bad credentials or token */
    CRM_EFORBIDDEN = -5,    /**< the caller's role may not do this */
    CRM_EUNAVAILABLE = -6,  /**< the database cannot be reached */
    CRM_EINTERNAL = -7,     /**< a bug or an unexpected database state */
    CRM_ENOMEM = -8,        /**< out of memory */
    CRM_ETHROTTLED = -9     /**< too many failed logins for this email or address; see crm_error_retry_after() */
} crm_status_t;

/** The status's name, "CRM_OK", "CRM_ENOTFOUND", ..., or NULL for an unknown value. The string
 * is static and owned by the library. */
CRM_API const char *crm_status_name(int status);

/** The last error of the calling thread. */
typedef struct crm_error crm_error;

/** The last error on the calling thread: its code is CRM_OK after a call that succeeded. Never
 * NULL. The crm_error_* functions, getters and *_free functions do not change it; any other
 * crm_ call may. The object is owned by the library and valid until the next crm_ call on this
 * thread (other than those). */
CRM_API const crm_error *crm_error_last(void);
/** The error's status (a crm_status_t). Nothing is allocated. */
CRM_API int crm_error_code(const crm_error *error);
/** A one-line message ("title is required"); "" after success. Borrowed from the error. */
CRM_API const char *crm_error_message(const crm_error *error);
/** How many input fields are at fault: every offending field for CRM_EINVALID, the taken field
 * for a CRM_ECONFLICT such as a duplicate email, 0 otherwise. Nothing is allocated. */
CRM_API size_t crm_error_field_count(const crm_error *error);
/** The name of the i-th offending field ("title", "email", "page"), NULL when i is out of range.
 * Borrowed from the error. */
CRM_API const char *crm_error_field_name(const crm_error *error, size_t i);
/** What is wrong with the i-th field ("is required"), NULL when i is out of range. Borrowed from
 * the error. */
CRM_API const char *crm_error_field_message(const crm_error *error, size_t i);

/** Seconds to wait before trying again: set for CRM_ETHROTTLED (until the login window passes)
 * and for the CRM_EUNAVAILABLE of busy password hashing; 0 when the error says nothing about it.
 * Nothing is allocated. */
CRM_API int64_t crm_error_retry_after(const crm_error *error);

/** Releases memory the library allocated for a `char *` result (JSON text). A no-op on NULL.
 * Use it, never the C library's free(). */
CRM_API void crm_free(void *ptr);

/* ---- Enums -------------------------------------------------------------------------------- */

/** A user's role. ADMIN: everything; MANAGER: every lead and activity, reads any user, updates
 * only themselves; SALES: only the leads they own and their activities, only themselves. */
/** CRM_ROLE_INVALID is what a getter returns for a NULL handle; never a user's role. */
typedef enum crm_role_t { CRM_ROLE_INVALID = -1, CRM_ROLE_ADMIN = 0, CRM_ROLE_MANAGER = 1, CRM_ROLE_SALES = 2 } crm_role_t;

/** Pipeline order. CRM_LEAD_STATUS_INVALID is what a getter returns for a NULL handle. */
typedef enum crm_lead_status_t {
    CRM_LEAD_STATUS_INVALID = -1,
    CRM_LEAD_NEW = 0,
    CRM_LEAD_CONTACTED = 1,
    CRM_LEAD_QUALIFIED = 2,
    CRM_LEAD_CLOSED = 3
} crm_lead_status_t;

/** What kind of activity. CRM_ACTIVITY_TYPE_INVALID is what a getter returns for a NULL handle. */
typedef enum crm_activity_type_t {
    CRM_ACTIVITY_TYPE_INVALID = -1,
    CRM_ACTIVITY_NOTE = 0,
    CRM_ACTIVITY_CALL = 1,
    CRM_ACTIVITY_EMAIL = 2
} crm_activity_type_t;

/** The HMAC algorithm that signs access tokens. */
typedef enum crm_jwt_algorithm_t { CRM_JWT_HS256 = 0, CRM_JWT_HS384 = 1, CRM_JWT_HS512 = 2 } crm_jwt_algorithm_t;

/** Which kind of database a crm_db is on. */
typedef enum crm_backend_t { CRM_BACKEND_INVALID = -1, CRM_BACKEND_SQLITE = 0, CRM_BACKEND_POSTGRESQL = 1 } crm_backend_t;

/** The column a lead list is ordered by (see crm_lead_list()); ties are broken by id. */
typedef enum crm_lead_sort_t {
    CRM_LEAD_SORT_CREATED_AT = 0, /**< "createdAt" */
    CRM_LEAD_SORT_UPDATED_AT = 1, /**< "updatedAt" */
    CRM_LEAD_SORT_TITLE = 2,      /**< "title", by code point */
    CRM_LEAD_SORT_STATUS = 3      /**< "status", in pipeline order NEW < CONTACTED < QUALIFIED < CLOSED */
} crm_lead_sort_t;

/** The direction of a sorted list. Descending is 0 so that a zeroed sort (CRM_LEAD_SORT_CREATED_AT,
 * CRM_SORT_DESCENDING) is the default order: newest first. */
typedef enum crm_sort_direction_t { CRM_SORT_DESCENDING = 0, CRM_SORT_ASCENDING = 1 } crm_sort_direction_t;

/**@{*/
/** Wire names ("ADMIN", "NEW", "NOTE", "HS256", "createdAt"), or NULL for a value out of range.
 * The strings are static and owned by the library. */
CRM_API const char *crm_role_name(crm_role_t role);
CRM_API const char *crm_lead_status_name(crm_lead_status_t status);
CRM_API const char *crm_activity_type_name(crm_activity_type_t type);
CRM_API const char *crm_jwt_algorithm_name(crm_jwt_algorithm_t algorithm);
CRM_API const char *crm_lead_sort_name(crm_lead_sort_t sort);
/**@}*/

/**@{*/
/** Parse an exact wire name; anything else is CRM_EINVALID. The value is written to *out; nothing
 * is allocated. */
CRM_API int crm_role_parse(crm_role_t *out, const char *name);
CRM_API int crm_lead_status_parse(crm_lead_status_t *out, const char *name);
CRM_API int crm_activity_type_parse(crm_activity_type_t *out, const char *name);
CRM_API int crm_jwt_algorithm_parse(crm_jwt_algorithm_t *out, const char *name);
CRM_API int crm_lead_sort_parse(crm_lead_sort_t *out, const char *name);
/**@}*/

/* ---- Handles ------------------------------------------------------------------------------ */

typedef struct crm_db crm_db;                           /**< a database and the service over it */
typedef struct crm_principal crm_principal;             /**< who is acting */
typedef struct crm_tokens crm_tokens;                   /**< access + refresh token (+ user) */
typedef struct crm_user crm_user;                       /**< a user (read-only copy) */
typedef struct crm_lead crm_lead;                       /**< a lead (read-only copy) */
typedef struct crm_activity crm_activity;               /**< an activity (read-only copy) */
typedef struct crm_user_page crm_user_page;             /**< one page of users (a list result) */
typedef struct crm_lead_page crm_lead_page;             /**< one page of leads */
typedef struct crm_activity_page crm_activity_page;     /**< one page of activities */
typedef struct crm_user_fields crm_user_fields;         /**< fields to write to a user */
typedef struct crm_lead_fields crm_lead_fields;         /**< fields of a new lead or to change */
typedef struct crm_activity_fields crm_activity_fields; /**< fields to change on an activity */
typedef struct crm_lead_filter crm_lead_filter;         /**< which leads a list returns */

/* ---- Database ----------------------------------------------------------------------------- */

/** The version of crm_db_options this header describes. Version 1 ends with
 * max_concurrent_hashes; version 2 appends max_queued_hashes, login_max_failures and
 * login_window_s. */
#define CRM_DB_OPTIONS_VERSION 2

/** How to open a database. Start from CRM_DB_OPTIONS_INIT or
 * crm_db_options_init(&opts, CRM_DB_OPTIONS_VERSION), then set fields. Fields are only ever
 * appended, with a new version: the library reads only the fields of the version a caller's
 * struct says it has (its first member), so a program built against an older header keeps working
 * with a newer library. Values are passed to the core as given: the core rejects what it cannot
 * use (a TTL of 0, a secret shorter than 32 bytes). */
typedef struct crm_db_options {
    unsigned int version;              /**< CRM_DB_OPTIONS_VERSION */
    unsigned int pool_size;            /**< connections; 0 = number of cores, at least 2 */
    unsigned int lease_timeout_ms;     /**< wait for a free connection; default 10000 */
    const char *jwt_secret;            /**< HMAC key for access tokens, at least 32 bytes; NULL or
                                            "" (default): no tokens, see crm_db_open() */
    crm_jwt_algorithm_t jwt_algorithm;   /**< default CRM_JWT_HS256 */
    int64_t access_token_ttl_s;        /**< default 900 */
    int64_t refresh_token_ttl_s;       /**< default 604800 */
    int64_t leeway_s;                  /**< accepted clock skew on `exp`; default 5 */
    uint64_t password_opslimit;        /**< Argon2id cost; 0 = libsodium's INTERACTIVE */
    uint64_t password_memlimit;        /**< bytes; 0 = libsodium's INTERACTIVE */
    unsigned int max_concurrent_hashes; /**< 0 = number of cores */
    int max_queued_hashes;             /**< callers waiting for a hashing slot before CRM_EUNAVAILABLE;
                                            -1 (default) = 2 x max_concurrent_hashes */
    unsigned int login_max_failures;   /**< failed logins per email or address per window before
                                            CRM_ETHROTTLED; default 10, 0 = no throttling */
    int64_t login_window_s;            /**< the throttling window, 1 to 86400; default 900 */
} crm_db_options;

/** The default options (no jwt_secret: a database that issues no tokens). */
#define CRM_DB_OPTIONS_INIT {CRM_DB_OPTIONS_VERSION, 0, 10000, NULL, CRM_JWT_HS256, 900, 604800, 5, 0, 0, 0, -1, 10, 900}

/** Writes the defaults of the fields that `version` of the struct has (those of CRM_DB_OPTIONS_INIT,
 * taken from the C++ API's defaults) and sets opts->version; writes nothing past that version's
 * fields. CRM_EINVALID for NULL or a version this library does not know. Nothing is allocated. */
CRM_API int crm_db_options_init(crm_db_options *opts, unsigned int version);

/** Opens `url` (`sqlite:PATH`, `sqlite::memory:` or `postgresql://user:pass@host:port/db`) and
 * starts the service over it. `opts` NULL means the defaults. Without a jwt_secret (NULL or "")
 * the database works for everything but tokens: crm_auth_register(), crm_auth_login(),
 * crm_auth_login_from(), crm_auth_refresh() and crm_auth_authenticate() are then CRM_EINVALID on
 * field "jwtSecret", and list cursors are valid only within this handle. A secret of 1 to 31
 * bytes is CRM_EINVALID. A malformed URL is CRM_EINVALID, an unreachable server
 * CRM_EUNAVAILABLE. Does not change the schema (see crm_db_migrate). The handle in *out belongs
 * to the caller and is freed with crm_db_free(). */
CRM_API int crm_db_open(crm_db **out, const char *url, const crm_db_options *opts);
/** Applies every migration not applied yet; idempotent. Nothing is allocated for the caller. */
CRM_API int crm_db_migrate(crm_db *db);
/** The highest migration applied (0 for an empty database) into *out. Nothing is allocated. */
CRM_API int crm_db_schema_version(int *out, crm_db *db);
/** The highest migration this library knows. Nothing is allocated. */
CRM_API int crm_db_latest_schema_version(void);
/** CRM_OK when a connection answers now, CRM_EUNAVAILABLE otherwise. Nothing is allocated. */
CRM_API int crm_db_ping(crm_db *db);
/** The backend of an open database (CRM_BACKEND_INVALID for NULL). Nothing is allocated. */
CRM_API crm_backend_t crm_db_backend(const crm_db *db);
/** Closes the pool and frees the handle; handles obtained through it stay valid (they hold
 * copies). A no-op on NULL. Releases what crm_db_open() allocated. */
CRM_API void crm_db_free(crm_db *db);

/* ---- Principals and authentication -------------------------------------------------------- */

/** The trusted host application itself: may do everything, owns nothing (its leads are unowned,
 * its activities have no author). Never implied: pass it explicitly. The handle in *out belongs
 * to the caller and is freed with crm_principal_free(). */
CRM_API int crm_principal_system(crm_principal **out);
/** The acting user's id, or NULL for the system principal. Borrowed from the principal. */
CRM_API const char *crm_principal_user_id(const crm_principal *principal);
/** The acting user's role (CRM_ROLE_ADMIN for the system principal, CRM_ROLE_INVALID for NULL).
 * Nothing is allocated. */
CRM_API crm_role_t crm_principal_role(const crm_principal *principal);
/** 1 for the system principal, 0 otherwise. Nothing is allocated. */
CRM_API int crm_principal_is_system(const crm_principal *principal);
/** Frees a principal; a no-op on NULL. Releases what crm_principal_system() or
 * crm_auth_authenticate() allocated. */
CRM_API void crm_principal_free(crm_principal *principal);

/** Creates a SALES user (`name` NULL: the part of the email before '@') and logs them in.
 * CRM_ECONFLICT when the email is taken. The tokens in *out belong to the caller and are freed
 * with crm_tokens_free(). */
CRM_API int crm_auth_register(crm_tokens **out, crm_db *db, const char *email, const char *password,
                              const char *name);
/** Checks the credentials and issues tokens; an unknown email and a wrong password are the same
 * CRM_EUNAUTHORIZED. Failures are counted per email: see crm_auth_login_from() for
 * CRM_ETHROTTLED. The tokens in *out belong to the caller and are freed with crm_tokens_free(). */
CRM_API int crm_auth_login(crm_tokens **out, crm_db *db, const char *email, const char *password);
/** As crm_auth_login(), counting failures also against `client_address` (the peer's IP address
 * as text; IPv6 counts per /64; NULL or "" = only the email). After too many failed logins
 * within the window for the email or the address, every attempt for it is CRM_ETHROTTLED (the
 * right password included, unknown emails alike) with crm_error_retry_after() set; busy password
 * hashing is CRM_EUNAVAILABLE with crm_error_retry_after() set. The tokens in *out belong to the
 * caller and are freed with crm_tokens_free(). */
CRM_API int crm_auth_login_from(crm_tokens **out, crm_db *db, const char *email, const char *password,
                                const char *client_address);
/** Rotates a refresh token: the one given is spent. Presenting a spent token again revokes every
 * refresh token of that user. The result has no user. The tokens in *out belong to the caller and
 * are freed with crm_tokens_free(). */
CRM_API int crm_auth_refresh(crm_tokens **out, crm_db *db, const char *refresh_token);
/** Revokes a refresh token; an unknown token is not an error. Nothing is allocated. */
CRM_API int crm_auth_logout(crm_db *db, const char *refresh_token);
/** Verifies an access token against the user's current row: CRM_EUNAUTHORIZED for a bad or
 * expired token or a deleted user. The principal in *out belongs to the caller and is freed with
 * crm_principal_free(). */
CRM_API int crm_auth_authenticate(crm_principal **out, crm_db *db, const char *access_token);
/** The acting user's current row. The user in *out belongs to the caller and is freed with
 * crm_user_free(). */
CRM_API int crm_auth_me(crm_user **out, crm_db *db, const crm_principal *actor);

/** The JWS access token. Borrowed from the tokens. */
CRM_API const char *crm_tokens_access_token(const crm_tokens *tokens);
/** The opaque refresh token. Borrowed from the tokens. */
CRM_API const char *crm_tokens_refresh_token(const crm_tokens *tokens);
/** The user who logged in or registered; NULL after crm_auth_refresh(). Borrowed from the tokens:
 * do not free it. */
CRM_API const crm_user *crm_tokens_user(const crm_tokens *tokens);
/** {"user"?, "accessToken", "refreshToken"} as JSON text in *out (the login response's shape). The
 * text belongs to the caller and is released with crm_free(). */
CRM_API int crm_tokens_to_json(char **out, const crm_tokens *tokens);
/** Frees tokens and the user they hold; a no-op on NULL. Releases what crm_auth_* allocated. */
CRM_API void crm_tokens_free(crm_tokens *tokens);

/* ---- Pagination --------------------------------------------------------------------------- */

/**@{*/
/** Pages start at 1; a limit runs from 1 to CRM_PAGE_MAX_LIMIT. Anything else is CRM_EINVALID. */
#define CRM_PAGE_DEFAULT_LIMIT 20
#define CRM_PAGE_MAX_LIMIT 100
/**@}*/

/** The version of crm_page_request this header describes. */
#define CRM_PAGE_REQUEST_VERSION 1

/** Which rows a `crm_<noun>_list()` call returns: page mode (`page`, `limit`; the total is always
 * counted) or cursor mode (`cursor` from an earlier page's *_page_next_cursor(), `limit`; the rows
 * after that page, counted only when `with_total` is nonzero). A cursor is bound to the list, the
 * sort, the filter and the caller's scope it was made for: anything else, a changed cursor, or a
 * `page` other than 1 with a cursor, is CRM_EINVALID (field "cursor" or "page"). Start from
 * CRM_PAGE_REQUEST_INIT or crm_page_request_init(); fields are only ever appended. */
typedef struct crm_page_request {
    unsigned int version; /**< CRM_PAGE_REQUEST_VERSION */
    int64_t page;         /**< 1-based page number; 1 with a cursor */
    int64_t limit;        /**< rows per page, 1 to CRM_PAGE_MAX_LIMIT */
    const char *cursor;   /**< NULL: page mode; borrowed for the duration of the call */
    int with_total;       /**< cursor mode: nonzero counts every matching row too */
} crm_page_request;

/** Page 1 of CRM_PAGE_DEFAULT_LIMIT rows, page mode. */
#define CRM_PAGE_REQUEST_INIT {CRM_PAGE_REQUEST_VERSION, 1, CRM_PAGE_DEFAULT_LIMIT, NULL, 0}

/** Fills *request with CRM_PAGE_REQUEST_INIT. Returns CRM_EINVALID for NULL. Nothing is allocated. */
CRM_API int crm_page_request_init(crm_page_request *request);

/* ---- Users -------------------------------------------------------------------------------- */

/** One page of users (ADMIN only; others CRM_EFORBIDDEN), oldest first, paged as `request` says
 * (NULL: CRM_PAGE_REQUEST_INIT), page or cursor mode. The page in *out belongs to the caller and
 * is freed with crm_user_page_free(). */
CRM_API int crm_user_list(crm_user_page **out, crm_db *db, const crm_principal *actor,
                          const crm_page_request *request);
/** A user by id: ADMIN and MANAGER any, SALES only themselves (CRM_EFORBIDDEN otherwise). The user
 * in *out belongs to the caller and is freed with crm_user_free(). */
CRM_API int crm_user_get(crm_user **out, crm_db *db, const crm_principal *actor, const char *id);
/** Creates a user with any role (ADMIN and the system principal only); `name` NULL: the part of
 * the email before '@'. The user in *out belongs to the caller and is freed with crm_user_free(). */
CRM_API int crm_user_create(crm_user **out, crm_db *db, const crm_principal *actor, const char *email,
                            const char *password, const char *name, crm_role_t role);
/** Applies the fields set in `changes` to a user (ADMIN: anyone, any field; others: themselves,
 * not the role). CRM_ECONFLICT for a taken email or for demoting the last ADMIN. Changing a
 * password revokes all of that user's refresh tokens. The user in *out belongs to the caller and
 * is freed with crm_user_free(). */
CRM_API int crm_user_update(crm_user **out, crm_db *db, const crm_principal *actor, const char *id,
                            const crm_user_fields *changes);
/** Deletes a user (ADMIN only; CRM_ECONFLICT for the last ADMIN): their leads become unowned,
 * their activities authorless, their tokens are revoked. Nothing is allocated. */
CRM_API int crm_user_delete(crm_db *db, const crm_principal *actor, const char *id);

/**@{*/
/** A user's id, name, email (trimmed, lower case), and createdAt and updatedAt as RFC 3339 text.
 * The strings are borrowed from the user. */
CRM_API const char *crm_user_id(const crm_user *user);
CRM_API const char *crm_user_name(const crm_user *user);
CRM_API const char *crm_user_email(const crm_user *user);
CRM_API const char *crm_user_created_at(const crm_user *user);
CRM_API const char *crm_user_updated_at(const crm_user *user);
/**@}*/
/** The user's role (CRM_ROLE_INVALID for NULL). Nothing is allocated. */
CRM_API crm_role_t crm_user_role(const crm_user *user);
/**@{*/
/** Timestamps in milliseconds since the Unix epoch (0 for NULL). Nothing is allocated. */
CRM_API int64_t crm_user_created_at_ms(const crm_user *user);
CRM_API int64_t crm_user_updated_at_ms(const crm_user *user);
/**@}*/
/** The user as the HTTP contract's resource {"id","name","email","role","createdAt","updatedAt"}.
 * The text in *out belongs to the caller and is released with crm_free(). */
CRM_API int crm_user_to_json(char **out, const crm_user *user);
/** Frees a user; a no-op on NULL. Releases what crm_user_* and crm_auth_me() allocated. */
CRM_API void crm_user_free(crm_user *user);

/** Number of users on this page. Nothing is allocated. */
CRM_API size_t crm_user_page_count(const crm_user_page *page);
/** The i-th user of the page, NULL when out of range. Borrowed from the page: do not free it. */
CRM_API const crm_user *crm_user_page_at(const crm_user_page *page, size_t i);
/**@{*/
/** The page number (from 1; 0 in cursor mode), the limit asked for, the number of matching rows
 * in all pages and the number of pages (0 for NULL; total and pages are -1 in cursor mode unless
 * with_total asked for them). Nothing is allocated. */
CRM_API int64_t crm_user_page_number(const crm_user_page *page);
CRM_API int64_t crm_user_page_limit(const crm_user_page *page);
CRM_API int64_t crm_user_page_total(const crm_user_page *page);
CRM_API int64_t crm_user_page_total_pages(const crm_user_page *page);
/**@}*/
/** The cursor for the users after this page (pass it in crm_page_request.cursor), or NULL on the
 * last page. Borrowed from the page: valid until crm_user_page_free(). */
CRM_API const char *crm_user_page_next_cursor(const crm_user_page *page);
/** {"data": [...], "pagination": {"page","limit","total","totalPages"}}. The text in *out belongs
 * to the caller and is released with crm_free(). */
CRM_API int crm_user_page_to_json(char **out, const crm_user_page *page);
/** Frees the page and the users in it; a no-op on NULL. Releases what crm_user_list() allocated. */
CRM_API void crm_user_page_free(crm_user_page *page);

/** A set of user fields to change; a field never set is left as it is. The handle in *out belongs
 * to the caller and is freed with crm_user_fields_free(). */
CRM_API int crm_user_fields_new(crm_user_fields **out);
/**@{*/
/** Setters: each records one field; the strings are copied, nothing stays borrowed. */
CRM_API int crm_user_fields_set_name(crm_user_fields *fields, const char *name);
CRM_API int crm_user_fields_set_email(crm_user_fields *fields, const char *email);
CRM_API int crm_user_fields_set_role(crm_user_fields *fields, crm_role_t role);
/**@}*/
/** A new password; `current_password` is required when users change their own password (NULL
 * otherwise). The strings are copied, nothing stays borrowed. */
CRM_API int crm_user_fields_set_password(crm_user_fields *fields, const char *password, const char *current_password);
/** Frees the fields; a no-op on NULL. Releases what crm_user_fields_new() allocated. */
CRM_API void crm_user_fields_free(crm_user_fields *fields);

/* ---- Leads -------------------------------------------------------------------------------- */

/** Creates a lead from `fields`: title is required; status defaults to NEW; owner not set means
 * the caller (unowned for the system principal), owner set to NULL means unowned (ADMIN and
 * MANAGER only); SALES may own only their own leads (CRM_EFORBIDDEN). The lead in *out belongs to
 * the caller and is freed with crm_lead_free(). */
CRM_API int crm_lead_create(crm_lead **out, crm_db *db, const crm_principal *actor, const crm_lead_fields *fields);
/** A lead by id; CRM_ENOTFOUND outside the caller's scope. The lead in *out belongs to the caller
 * and is freed with crm_lead_free(). */
CRM_API int crm_lead_get(crm_lead **out, crm_db *db, const crm_principal *actor, const char *id);
/** Applies the fields set in `changes`, with the same rules as crm_lead_create(). The lead in *out
 * belongs to the caller and is freed with crm_lead_free(). */
CRM_API int crm_lead_update(crm_lead **out, crm_db *db, const crm_principal *actor, const char *id,
                            const crm_lead_fields *changes);
/** Deletes a lead and its activities; CRM_ENOTFOUND outside the caller's scope. Nothing is
 * allocated. */
CRM_API int crm_lead_delete(crm_db *db, const crm_principal *actor, const char *id);
/** One page of the leads in the caller's scope that match `filter` (NULL: all), ordered by `sort`
 * in `direction` (CRM_LEAD_SORT_CREATED_AT, CRM_SORT_DESCENDING: newest first), ties broken by id
 * in the same direction; a value outside either enum is CRM_EINVALID on "sort" or "direction".
 * Paged as `request` says (NULL: CRM_PAGE_REQUEST_INIT), page or cursor mode. The page in *out
 * belongs to the caller and is freed with crm_lead_page_free(). */
CRM_API int crm_lead_list(crm_lead_page **out, crm_db *db, const crm_principal *actor, const crm_lead_filter *filter,
                          crm_lead_sort_t sort, crm_sort_direction_t direction, const crm_page_request *request);

/** Called by crm_lead_for_each() for each lead, with the `context` given to it. The lead is
 * borrowed for the call only. Return 0 to go on, anything else to stop. */
typedef int (*crm_lead_visitor)(const crm_lead *lead, void *context);
/** Calls `visit` for every lead in the caller's scope that matches `filter` (NULL: all), oldest
 * first, reading in chunks so that memory stays bounded however many leads there are; no
 * connection is held while `visit` runs. Returns CRM_OK when every lead was visited or `visit`
 * stopped early. Nothing is allocated for the caller. */
CRM_API int crm_lead_for_each(crm_db *db, const crm_principal *actor, const crm_lead_filter *filter,
                              crm_lead_visitor visit, void *context);
/** Creates `count` leads in one transaction, or none: a lead that fails validation is
 * CRM_EINVALID with fields named "[index].field". Each element of `fields` is as for
 * crm_lead_create(). The created leads, in order, come back as a page in *out (page 1, limit and
 * total `count`) that belongs to the caller and is freed with crm_lead_page_free(). */
CRM_API int crm_lead_create_many(crm_lead_page **out, crm_db *db, const crm_principal *actor,
                                 const crm_lead_fields *const *fields, size_t count);

/**@{*/
/** A lead's fields; nullable ones (description, source, owner id, metadata) are NULL when null,
 * and metadata is a JSON object as text. The strings are borrowed from the lead. */
CRM_API const char *crm_lead_id(const crm_lead *lead);
CRM_API const char *crm_lead_title(const crm_lead *lead);
CRM_API const char *crm_lead_description(const crm_lead *lead);
CRM_API const char *crm_lead_source(const crm_lead *lead);
CRM_API const char *crm_lead_owner_id(const crm_lead *lead);
CRM_API const char *crm_lead_metadata(const crm_lead *lead);
CRM_API const char *crm_lead_created_at(const crm_lead *lead);
CRM_API const char *crm_lead_updated_at(const crm_lead *lead);
/**@}*/
/** The lead's status (CRM_LEAD_STATUS_INVALID for NULL). Nothing is allocated. */
CRM_API crm_lead_status_t crm_lead_status(const crm_lead *lead);
/**@{*/
/** Timestamps in milliseconds since the Unix epoch (0 for NULL). Nothing is allocated. */
CRM_API int64_t crm_lead_created_at_ms(const crm_lead *lead);
CRM_API int64_t crm_lead_updated_at_ms(const crm_lead *lead);
/**@}*/
/** The lead as the HTTP contract's resource {"id","title","description","status","source",
 * "ownerId","metadata","createdAt","updatedAt"}; stored metadata that is not JSON (only an edit of
 * the database behind the library's back leaves such) is null, as the server shows it. The text
 * in *out belongs to the caller and is released with crm_free(). */
CRM_API int crm_lead_to_json(char **out, const crm_lead *lead);
/** Frees a lead; a no-op on NULL. Releases what crm_lead_* allocated. */
CRM_API void crm_lead_free(crm_lead *lead);

/** Number of leads on this page. Nothing is allocated. */
CRM_API size_t crm_lead_page_count(const crm_lead_page *page);
/** The i-th lead of the page, NULL when out of range. Borrowed from the page: do not free it. */
CRM_API const crm_lead *crm_lead_page_at(const crm_lead_page *page, size_t i);
/**@{*/
/** The page number (from 1; 0 in cursor mode), the limit asked for, the number of matching rows
 * in all pages and the number of pages (0 for NULL; total and pages are -1 in cursor mode unless
 * with_total asked for them). Nothing is allocated. */
CRM_API int64_t crm_lead_page_number(const crm_lead_page *page);
CRM_API int64_t crm_lead_page_limit(const crm_lead_page *page);
CRM_API int64_t crm_lead_page_total(const crm_lead_page *page);
CRM_API int64_t crm_lead_page_total_pages(const crm_lead_page *page);
/**@}*/
/** The cursor for the leads after this page (pass it in crm_page_request.cursor), or NULL on the
 * last page. Borrowed from the page: valid until crm_lead_page_free(). */
CRM_API const char *crm_lead_page_next_cursor(const crm_lead_page *page);
/** {"data": [...], "pagination": {...}}. The text in *out belongs to the caller and is released
 * with crm_free(). */
CRM_API int crm_lead_page_to_json(char **out, const crm_lead_page *page);
/** Frees the page and the leads in it; a no-op on NULL. Releases what crm_lead_list() allocated. */
CRM_API void crm_lead_page_free(crm_lead_page *page);

/** A set of lead fields: for crm_lead_create() the new lead's values, for crm_lead_update() the
 * changes; a field never set is left out (as it is, or its default). For a nullable field, a
 * NULL value sets it to null. The handle in *out belongs to the caller and is freed with
 * crm_lead_fields_free(). */
CRM_API int crm_lead_fields_new(crm_lead_fields **out);
/**@{*/
/** Setters: each records one field; the strings are copied, nothing stays borrowed. */
CRM_API int crm_lead_fields_set_title(crm_lead_fields *fields, const char *title);
CRM_API int crm_lead_fields_set_description(crm_lead_fields *fields, const char *description /* NULL: null */);
CRM_API int crm_lead_fields_set_status(crm_lead_fields *fields, crm_lead_status_t status);
CRM_API int crm_lead_fields_set_source(crm_lead_fields *fields, const char *source /* NULL: null */);
CRM_API int crm_lead_fields_set_owner_id(crm_lead_fields *fields, const char *owner_id /* NULL: unowned */);
/**@}*/
/** `metadata_json`: a JSON object as text; NULL or the JSON text `null` sets null; text that is
 * not JSON is CRM_EINVALID here, JSON that is not an object is refused by create/update. The text
 * is copied, nothing stays borrowed. */
CRM_API int crm_lead_fields_set_metadata(crm_lead_fields *fields, const char *metadata_json);
/** Frees the fields; a no-op on NULL. Releases what crm_lead_fields_new() allocated. */
CRM_API void crm_lead_fields_free(crm_lead_fields *fields);

/** Which leads crm_lead_list() returns; a filter never set matches everything. The handle in *out
 * belongs to the caller and is freed with crm_lead_filter_free(). */
CRM_API int crm_lead_filter_new(crm_lead_filter **out);
/** Only leads with one of these statuses (`count` 0: any status; `statuses` may then be NULL). The
 * array is copied, nothing stays borrowed. */
CRM_API int crm_lead_filter_set_statuses(crm_lead_filter *filter, const crm_lead_status_t *statuses, size_t count);
/** Only leads of this owner; NULL: only unowned leads. The string is copied, nothing stays
 * borrowed. */
CRM_API int crm_lead_filter_set_owner_id(crm_lead_filter *filter, const char *owner_id);
/** Only leads with exactly this source. The string is copied, nothing stays borrowed. */
CRM_API int crm_lead_filter_set_source(crm_lead_filter *filter, const char *source);
/** Only leads whose title or description contains `q`, ignoring case. The string is copied,
 * nothing stays borrowed. */
CRM_API int crm_lead_filter_set_query(crm_lead_filter *filter, const char *q);
/** Frees the filter; a no-op on NULL. Releases what crm_lead_filter_new() allocated. */
CRM_API void crm_lead_filter_free(crm_lead_filter *filter);

/* ---- Activities --------------------------------------------------------------------------- */

/** Adds an activity to a lead (`body` NULL: null); its author is the caller (none for the system
 * principal). CRM_ENOTFOUND when the lead is outside the caller's scope. The activity in *out
 * belongs to the caller and is freed with crm_activity_free(). */
CRM_API int crm_activity_create(crm_activity **out, crm_db *db, const crm_principal *actor, const char *lead_id,
                                crm_activity_type_t type, const char *body);
/** An activity by id; CRM_ENOTFOUND when its lead is outside the caller's scope. The activity in
 * *out belongs to the caller and is freed with crm_activity_free(). */
CRM_API int crm_activity_get(crm_activity **out, crm_db *db, const crm_principal *actor, const char *id);
/** Applies the fields set in `changes`. The activity in *out belongs to the caller and is freed
 * with crm_activity_free(). */
CRM_API int crm_activity_update(crm_activity **out, crm_db *db, const crm_principal *actor, const char *id,
                                const crm_activity_fields *changes);
/** Deletes an activity. Nothing is allocated. */
CRM_API int crm_activity_delete(crm_db *db, const crm_principal *actor, const char *id);
/** One page of a lead's activities, newest first, paged as `request` says (NULL:
 * CRM_PAGE_REQUEST_INIT), page or cursor mode; CRM_ENOTFOUND when the lead is outside the
 * caller's scope. The page in *out belongs to the caller and is freed with
 * crm_activity_page_free(). */
CRM_API int crm_activity_list(crm_activity_page **out, crm_db *db, const crm_principal *actor, const char *lead_id,
                              const crm_page_request *request);

/**@{*/
/** An activity's fields; body and author id are NULL when null (the author is null once that user
 * is deleted, or for the system principal). The strings are borrowed from the activity. */
CRM_API const char *crm_activity_id(const crm_activity *activity);
CRM_API const char *crm_activity_lead_id(const crm_activity *activity);
CRM_API const char *crm_activity_body(const crm_activity *activity);
CRM_API const char *crm_activity_created_by(const crm_activity *activity);
CRM_API const char *crm_activity_created_at(const crm_activity *activity);
CRM_API const char *crm_activity_updated_at(const crm_activity *activity);
/**@}*/
/** The activity's type (CRM_ACTIVITY_TYPE_INVALID for NULL). Nothing is allocated. */
CRM_API crm_activity_type_t crm_activity_type(const crm_activity *activity);
/**@{*/
/** Timestamps in milliseconds since the Unix epoch (0 for NULL). Nothing is allocated. */
CRM_API int64_t crm_activity_created_at_ms(const crm_activity *activity);
CRM_API int64_t crm_activity_updated_at_ms(const crm_activity *activity);
/**@}*/
/** The activity as the HTTP contract's resource {"id","leadId","type","body","createdBy",
 * "createdAt","updatedAt"}. The text in *out belongs to the caller and is released with
 * crm_free(). */
CRM_API int crm_activity_to_json(char **out, const crm_activity *activity);
/** Frees an activity; a no-op on NULL. Releases what crm_activity_* allocated. */
CRM_API void crm_activity_free(crm_activity *activity);

/** Number of activities on this page. Nothing is allocated. */
CRM_API size_t crm_activity_page_count(const crm_activity_page *page);
/** The i-th activity of the page, NULL when out of range. Borrowed from the page: do not free it. */
CRM_API const crm_activity *crm_activity_page_at(const crm_activity_page *page, size_t i);
/**@{*/
/** The page number (from 1; 0 in cursor mode), the limit asked for, the number of matching rows
 * in all pages and the number of pages (0 for NULL; total and pages are -1 in cursor mode unless
 * with_total asked for them). Nothing is allocated. */
CRM_API int64_t crm_activity_page_number(const crm_activity_page *page);
CRM_API int64_t crm_activity_page_limit(const crm_activity_page *page);
CRM_API int64_t crm_activity_page_total(const crm_activity_page *page);
CRM_API int64_t crm_activity_page_total_pages(const crm_activity_page *page);
/**@}*/
/** The cursor for the activities after this page (pass it in crm_page_request.cursor), or NULL on the
 * last page. Borrowed from the page: valid until crm_activity_page_free(). */
CRM_API const char *crm_activity_page_next_cursor(const crm_activity_page *page);
/** {"data": [...], "pagination": {...}}. The text in *out belongs to the caller and is released
 * with crm_free(). */
CRM_API int crm_activity_page_to_json(char **out, const crm_activity_page *page);
/** Frees the page and the activities in it; a no-op on NULL. Releases what crm_activity_list()
 * allocated. */
CRM_API void crm_activity_page_free(crm_activity_page *page);

/** A set of activity fields to change; a field never set is left as it is. The handle in *out
 * belongs to the caller and is freed with crm_activity_fields_free(). */
CRM_API int crm_activity_fields_new(crm_activity_fields **out);
/**@{*/
/** Setters: each records one field; the strings are copied, nothing stays borrowed. */
CRM_API int crm_activity_fields_set_type(crm_activity_fields *fields, crm_activity_type_t type);
CRM_API int crm_activity_fields_set_body(crm_activity_fields *fields, const char *body /* NULL: null */);
/**@}*/
/** The activity's lead may be restated but not changed: a different lead id is CRM_EINVALID on
 * update. The string is copied, nothing stays borrowed. */
CRM_API int crm_activity_fields_set_lead_id(crm_activity_fields *fields, const char *lead_id);
/** Frees the fields; a no-op on NULL. Releases what crm_activity_fields_new() allocated. */
CRM_API void crm_activity_fields_free(crm_activity_fields *fields);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CRM_H */
