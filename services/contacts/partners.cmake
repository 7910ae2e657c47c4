# The partner directory's rules (pure).
add_library(consular_partner_rules STATIC ${CMAKE_CURRENT_LIST_DIR}/partner_rules.cc)
target_link_libraries(consular_partner_rules PUBLIC consular_common consular_proto)
target_compile_options(consular_partner_rules PRIVATE ${CONSULAR_WARNINGS})

# The partner directory (PartnerService's use cases).
add_library(consular_partners_lib STATIC ${CMAKE_CURRENT_LIST_DIR}/partner_manager.cc)
target_link_libraries(consular_partners_lib PUBLIC consular_partner_rules consular_service_support
                      consular_proto)
target_compile_options(consular_partners_lib PRIVATE ${CONSULAR_WARNINGS})
