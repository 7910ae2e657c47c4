# The partner directory's rules (pure).
add_library(consular_partner_rules STATIC ${CMAKE_CURRENT_LIST_DIR}/partner_rules.cc)
target_link_libraries(consular_partner_rules PUBLIC consular_common consular_proto)
target_compile_options(consular_partner_rules PRIVATE ${CONSULAR_WARNINGS})
