# The request checks of consular-stats (pure).
add_library(consular_stats_rules STATIC ${CMAKE_CURRENT_LIST_DIR}/statistics_rules.cc
            ${CMAKE_CURRENT_LIST_DIR}/talk_rules.cc)
target_link_libraries(consular_stats_rules PUBLIC consular_stats_publisher_lib consular_common
                      consular_proto)
target_compile_options(consular_stats_rules PRIVATE ${CONSULAR_WARNINGS})

# consular-stats: the use cases, the gRPC adapters and the server.
add_library(consular_stats_lib STATIC ${CMAKE_CURRENT_LIST_DIR}/statistics_manager.cc
            ${CMAKE_CURRENT_LIST_DIR}/releases.cc ${CMAKE_CURRENT_LIST_DIR}/talks_register.cc
            ${CMAKE_CURRENT_LIST_DIR}/talk_briefings.cc ${CMAKE_CURRENT_LIST_DIR}/stats_service.cc)
target_link_libraries(consular_stats_lib PUBLIC consular_stats_rules consular_stats_publisher_lib
                      consular_dossier consular_service_support consular_proto)
target_compile_options(consular_stats_lib PRIVATE ${CONSULAR_WARNINGS})

add_executable(consular-stats ${CMAKE_CURRENT_LIST_DIR}/main.cc)
target_include_directories(consular-stats PRIVATE ${CLI11_INCLUDE_DIR})
target_link_libraries(consular-stats PRIVATE consular_stats_lib)
target_compile_options(consular-stats PRIVATE ${CONSULAR_WARNINGS})
