add_executable(contacts_contact_log_test ${CMAKE_CURRENT_LIST_DIR}/contact_log_test.cc)
target_link_libraries(contacts_contact_log_test PRIVATE consular_contacts_lib
                      consular_cases_lib consular_test_support GTest::gtest_main)
target_compile_options(contacts_contact_log_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(contacts_contact_log_test PROPERTIES LABELS integration)
