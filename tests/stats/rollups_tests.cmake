# The rollups against PostgreSQL: a hand-computed fixture, a random workload against the recount,
# rebuild, the horizon, freshness.
add_executable(stats_rollups_test ${CMAKE_CURRENT_LIST_DIR}/rollups_test.cc)
target_link_libraries(stats_rollups_test PRIVATE consular_stats_rollups_lib
                      consular_stats_publisher_lib consular_contacts_lib consular_cases_lib consular_test_support
                      GTest::gtest_main)
target_compile_options(stats_rollups_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(stats_rollups_test PROPERTIES LABELS integration TIMEOUT 300)

# Publishing: hand-made counts and the disclosure-control properties over random countries.
add_executable(stats_publisher_unit_test ${CMAKE_CURRENT_LIST_DIR}/publisher_test.cc)
target_link_libraries(stats_publisher_unit_test PRIVATE consular_stats_publisher_lib
                      GTest::gtest_main)
target_compile_options(stats_publisher_unit_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(stats_publisher_unit_test PROPERTIES LABELS unit)

# The attack on two consecutive releases: every published table and every identity between them,
# solved by linear programming for the hidden figures.
add_executable(stats_linked_attack_unit_test ${CMAKE_CURRENT_LIST_DIR}/linked_attack_test.cc)
target_link_libraries(stats_linked_attack_unit_test PRIVATE consular_stats_publisher_lib
                      GTest::gtest_main)
target_compile_options(stats_linked_attack_unit_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(stats_linked_attack_unit_test PROPERTIES LABELS unit TIMEOUT 600)

# A country's counts in memory: the cases with contacts beside the contact events.
add_executable(stats_country_counts_unit_test ${CMAKE_CURRENT_LIST_DIR}/country_counts_test.cc)
target_link_libraries(stats_country_counts_unit_test PRIVATE consular_stats_publisher_lib
                      GTest::gtest_main)
target_compile_options(stats_country_counts_unit_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(stats_country_counts_unit_test PROPERTIES LABELS unit)

# A release's year of a country as JSON and back: round trips, the reading of a document parser,
# and what is refused.
add_executable(stats_year_json_unit_test ${CMAKE_CURRENT_LIST_DIR}/year_json_test.cc)
target_link_libraries(stats_year_json_unit_test PRIVATE consular_stats_publisher_lib
                      GTest::gtest_main)
target_compile_options(stats_year_json_unit_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(stats_year_json_unit_test PROPERTIES LABELS unit)
