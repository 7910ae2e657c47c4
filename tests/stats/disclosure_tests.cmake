# Disclosure control: the LP checked against brute force, property tests over random tables, and
# hand-made cases (unit).
add_executable(disclosure_unit_test ${CMAKE_CURRENT_LIST_DIR}/disclosure_test.cc)
target_link_libraries(disclosure_unit_test PRIVATE consular_disclosure GTest::gtest_main)
target_compile_options(disclosure_unit_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(disclosure_unit_test PROPERTIES LABELS unit)
