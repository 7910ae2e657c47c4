# The partner directory: its rules (unit) and the partner use cases of ContactsManager against PostgreSQL (integration).
add_executable(partners_unit_test ${CMAKE_CURRENT_LIST_DIR}/partner_rules_test.cc)
target_link_libraries(partners_unit_test PRIVATE consular_partner_rules GTest::gtest_main)
target_compile_options(partners_unit_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(partners_unit_test PROPERTIES LABELS unit)

add_executable(partners_integration_test ${CMAKE_CURRENT_LIST_DIR}/partners_test.cc)
target_link_libraries(partners_integration_test PRIVATE consular_contacts_lib
                      consular_test_support GTest::gtest_main)
target_compile_options(partners_integration_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(partners_integration_test PROPERTIES LABELS integration TIMEOUT 300)

# The register of units (UnitService) against PostgreSQL.
add_executable(units_integration_test ${CMAKE_CURRENT_LIST_DIR}/units_test.cc)
target_link_libraries(units_integration_test PRIVATE consular_contacts_lib
                      consular_test_support GTest::gtest_main)
target_compile_options(units_integration_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(units_integration_test PROPERTIES LABELS integration TIMEOUT 300)
