# The bilateral-talks register: its rules without a database (unit), and the register over
# in-process gRPC with PostgreSQL (lifecycle, append-only tables, commitments, decisions, countries
# never raised, briefings, roles, retries).
add_executable(talk_rules_unit_test ${CMAKE_CURRENT_LIST_DIR}/talk_rules_test.cc)
target_link_libraries(talk_rules_unit_test PRIVATE consular_stats_rules GTest::gtest_main)
target_compile_options(talk_rules_unit_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(talk_rules_unit_test PROPERTIES LABELS unit)

add_executable(talks_register_test ${CMAKE_CURRENT_LIST_DIR}/talks_register_test.cc)
target_link_libraries(talks_register_test PRIVATE consular_stats_lib consular_contacts_service_lib
                      consular_cases_lib
                      consular_test_support common_test_support OpenSSL::Crypto
                      GTest::gtest_main)
target_compile_options(talks_register_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(talks_register_test PROPERTIES LABELS integration TIMEOUT 300)
