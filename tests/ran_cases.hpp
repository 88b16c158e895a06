// A doctest listener that counts the test cases run. CTest runs each case by name
// (--test-case=NAME); a name CTest's discovery cut short (doctest names containing ';') matches
// nothing, and doctest would then report success for a run that tested nothing.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <string_view>

namespace crm_test_support {

inline std::atomic<int> cases_run{0};

struct CountCases : doctest::IReporter {
    explicit CountCases(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_start(const doctest::TestCaseData&) override { ++cases_run; }
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

/// doctest's exit status, or 1 when a run named its cases (--test-case) and none ran.
inline int checked_run(doctest::Context& context, int argc, char** argv) {
    int status = context.run();
    bool named = false, listing = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        named = named || arg.starts_with("--test-case=") || arg.starts_with("-tc=");
        listing = listing || arg.find("list") != std::string_view::npos || arg.find("count") != std::string_view::npos;
    }
    if (status == 0 && named && !listing && cases_run == 0) {
        std::fprintf(stderr, "no test case matched the --test-case filter: a run that tests nothing fails\n");
        return 1;
    }
    return status;
}

}  // namespace crm_test_support

DOCTEST_REGISTER_LISTENER("count-cases", 0, crm_test_support::CountCases);
