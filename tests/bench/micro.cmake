# Micro-benchmarks of the hot pure code (Google Benchmark): case validation, field encryption and
# the blind index, bearer tokens, disclosure control and publishing. Run by hand, never by ctest:
#   build-release/tests/bench/micro_bench --benchmark_min_time=0.2
add_executable(micro_bench ${CMAKE_CURRENT_LIST_DIR}/micro_bench.cc)
target_link_libraries(micro_bench PRIVATE consular_cases_lib consular_stats_publisher_lib
                      common_test_support benchmark::benchmark)
target_compile_options(micro_bench PRIVATE ${CONSULAR_WARNINGS})
