# consular-stats over in-process gRPC with PostgreSQL: roles, the talk register, dossiers.
add_executable(stats_service_test ${CMAKE_CURRENT_LIST_DIR}/stats_service_test.cc)
target_link_libraries(stats_service_test PRIVATE consular_stats_lib consular_contacts_service_lib
                      consular_cases_lib consular_test_support common_test_support
                      GTest::gtest_main)
target_compile_options(stats_service_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(stats_service_test PROPERTIES LABELS integration TIMEOUT 300)

# ListCountries reads every country of a release in one statement: the same answers as the
# per-country computation, and statements that do not grow with the countries.
add_executable(stats_list_countries_test ${CMAKE_CURRENT_LIST_DIR}/list_countries_test.cc)
target_link_libraries(stats_list_countries_test PRIVATE consular_stats_lib
                      consular_contacts_service_lib consular_cases_lib consular_test_support
                      common_test_support GTest::gtest_main)
target_compile_options(stats_list_countries_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(stats_list_countries_test PROPERTIES LABELS integration TIMEOUT 300)
