add_executable(contacts_service_test ${CMAKE_CURRENT_LIST_DIR}/contacts_service_test.cc)
target_link_libraries(contacts_service_test PRIVATE consular_contacts_service_lib
                      consular_cases_lib consular_test_support common_test_support
                      GTest::gtest_main)
target_compile_options(contacts_service_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(contacts_service_test PROPERTIES LABELS integration)
