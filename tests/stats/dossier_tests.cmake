# Country dossier renderers: unit tests, and a headless-Chromium check that every chart drew.
add_executable(dossier_unit_test ${CMAKE_CURRENT_LIST_DIR}/dossier_render_test.cc)
# Own main(): the binary also writes the fixture's HTML for the browser check.
target_link_libraries(dossier_unit_test PRIVATE consular_dossier consular_proto absl::strings
                      GTest::gtest GTest::gmock)
target_compile_options(dossier_unit_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(dossier_unit_test TEST_PREFIX "dossier_unit." PROPERTIES LABELS unit)

# Browser check (label browser). Fails, never skips, when chromium is missing: the script exits 3
# and says to run ops/install-deps.sh.
set(DOSSIER_CHECK_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/dossier_chromium_check.sh)
set(DOSSIER_FIXTURE_HTML ${CMAKE_CURRENT_BINARY_DIR}/dossier_fixture.html)
set(DOSSIER_UNDRAWN_HTML ${CMAKE_CURRENT_BINARY_DIR}/dossier_fixture_without_age_groups.html)

add_test(NAME dossier_browser_write_fixture
         COMMAND dossier_unit_test --write-fixture-html=${DOSSIER_FIXTURE_HTML})
add_test(NAME dossier_browser_write_undrawn_fixture
         COMMAND dossier_unit_test --write-fixture-html=${DOSSIER_UNDRAWN_HTML}
                 --without-marks-in=age-groups)
set_tests_properties(dossier_browser_write_fixture dossier_browser_write_undrawn_fixture
                     PROPERTIES FIXTURES_SETUP dossier_html LABELS browser)

# Every chart of the fixture dossier draws at least one mark in Chromium.
add_test(NAME dossier_chromium_check COMMAND bash ${DOSSIER_CHECK_SCRIPT} ${DOSSIER_FIXTURE_HTML})
# The check can fail: with the age-groups chart's bars removed it must exit 1 naming that chart
# (not 3, which would be a missing or broken Chromium).
add_test(NAME dossier_chromium_check_detects_undrawn_chart
         COMMAND bash -c [=[out=$(DOSSIER_CHECK_KEEP=never bash "$1" "$2" 2>&1); rc=$?; printf '%s\n' "$out"; if [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -q "FAIL: chart $3: drew no marks"; then echo "as expected: the check failed on chart $3"; exit 0; fi; echo "expected exit 1 naming chart $3, got exit $rc"; exit 1]=]
                 dossier_check_wrapper ${DOSSIER_CHECK_SCRIPT} ${DOSSIER_UNDRAWN_HTML} age-groups)
set_tests_properties(dossier_chromium_check dossier_chromium_check_detects_undrawn_chart
                     PROPERTIES FIXTURES_REQUIRED dossier_html LABELS browser TIMEOUT 300)

# The SVG chart module on its own: scale, suppressed placeholders, notes, escaping.
add_executable(svg_chart_unit_test ${CMAKE_CURRENT_LIST_DIR}/svg_chart_test.cc)
target_link_libraries(svg_chart_unit_test PRIVATE consular_svg_chart absl::strings GTest::gtest_main
                      GTest::gmock)
target_compile_options(svg_chart_unit_test PRIVATE ${CONSULAR_WARNINGS})
gtest_discover_tests(svg_chart_unit_test TEST_PREFIX "svg_chart_unit." PROPERTIES LABELS unit)
