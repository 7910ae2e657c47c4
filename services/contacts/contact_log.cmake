# The contact log's rules for what a client writes (pure).
add_library(consular_contact_rules STATIC ${CMAKE_CURRENT_LIST_DIR}/contact_rules.cc)
target_link_libraries(consular_contact_rules PUBLIC consular_common consular_proto)
target_compile_options(consular_contact_rules PRIVATE ${CONSULAR_WARNINGS})

# The contact log (ContactService's use cases).
add_library(consular_contact_log_lib STATIC ${CMAKE_CURRENT_LIST_DIR}/contact_manager.cc)
target_link_libraries(consular_contact_log_lib PUBLIC consular_contact_rules
                      consular_service_support consular_proto)
target_compile_options(consular_contact_log_lib PRIVATE ${CONSULAR_WARNINGS})
