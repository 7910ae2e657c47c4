# The rollups: kept up to date from the event stream, rebuilt, verified against a recount.
add_library(consular_stats_rollups_lib STATIC ${CMAKE_CURRENT_LIST_DIR}/rollups.cc
            ${CMAKE_CURRENT_LIST_DIR}/contact_presence.cc
            ${CMAKE_CURRENT_LIST_DIR}/rollup_refresher.cc)
target_link_libraries(consular_stats_rollups_lib PUBLIC consular_storage consular_proto
                      absl::status absl::statusor absl::strings absl::str_format absl::time)
target_compile_options(consular_stats_rollups_lib PRIVATE ${CONSULAR_WARNINGS})

# Publishing: disclosure control over the rollups of a country and year (pure).
# country_counts.cc holds a country's rollup counts, linked_tables.cc protects every figure of a
# country as one linked set (jointly with the release before), protected_tables.cc reads a year's
# figures off it, publisher.cc lays out the statistics and time series, year_json.cc stores a
# release's year of a country as JSON and reads it back.
add_library(consular_stats_publisher_lib STATIC ${CMAKE_CURRENT_LIST_DIR}/country_counts.cc
            ${CMAKE_CURRENT_LIST_DIR}/linked_tables.cc ${CMAKE_CURRENT_LIST_DIR}/modular_protection.cc
            ${CMAKE_CURRENT_LIST_DIR}/protected_tables.cc ${CMAKE_CURRENT_LIST_DIR}/publisher.cc
            ${CMAKE_CURRENT_LIST_DIR}/year_json.cc)
target_link_libraries(consular_stats_publisher_lib PUBLIC consular_disclosure nlohmann_json::nlohmann_json
                      consular_stats_rollups_lib consular_proto)
target_compile_options(consular_stats_publisher_lib PRIVATE ${CONSULAR_WARNINGS})
