// crm-server tests: doctest's runner, plus the rule that a PostgreSQL run without a server to run
// on fails as a whole (every case), rather than letting the cases that need no database pass.
#define DOCTEST_CONFIG_IMPLEMENT
#include "harness.hpp"
#include "../ran_cases.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string_view>

int main(int argc, char** argv) {
    bool listing = false;
    for (int i = 1; i < argc; ++i) listing = listing || std::string_view(argv[i]).find("list") != std::string_view::npos;
    const char* pg_url = std::getenv("CRM_TEST_PG_URL");
    if (!listing && crmtest::backend() == "postgresql" && (!pg_url || !*pg_url)) {
        std::cerr << "CRM_TEST_BACKEND=postgresql but CRM_TEST_PG_URL is not set: run the PostgreSQL tests "
                     "through scripts/with-postgres.sh (a PostgreSQL run fails, it never skips)\n";
        return 1;
    }
    doctest::Context context(argc, argv);
    return crm_test_support::checked_run(context, argc, argv);
}
