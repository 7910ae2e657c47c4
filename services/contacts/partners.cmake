# The partner directory (PartnerService's use cases and rules).
add_library(consular_partners_lib STATIC ${CMAKE_CURRENT_LIST_DIR}/partner_rules.cc
            ${CMAKE_CURRENT_LIST_DIR}/partner_manager.cc)
target_link_libraries(consular_partners_lib PUBLIC consular_service_support consular_cases_lib
                      consular_proto)
target_compile_options(consular_partners_lib PRIVATE ${CONSULAR_WARNINGS})
