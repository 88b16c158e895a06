#define DOCTEST_CONFIG_IMPLEMENT
#include "ran_cases.hpp"

#include <cstdio>

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    return crm_test_support::checked_run(context, argc, argv);
}
