# The contact log's rules for what a client writes (pure).
add_library(consular_contact_rules STATIC ${CMAKE_CURRENT_LIST_DIR}/contact_rules.cc)
target_link_libraries(consular_contact_rules PUBLIC consular_common consular_proto)
target_compile_options(consular_contact_rules PRIVATE ${CONSULAR_WARNINGS})
