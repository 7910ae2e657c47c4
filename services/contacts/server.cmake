# consular-contacts: the gRPC adapters and the server.
add_library(consular_contacts_service_lib STATIC ${CMAKE_CURRENT_LIST_DIR}/contacts_service.cc)
target_link_libraries(consular_contacts_service_lib PUBLIC consular_partners_lib
                      consular_contact_log_lib consular_proto)
target_compile_options(consular_contacts_service_lib PRIVATE ${CONSULAR_WARNINGS})

add_executable(consular-contacts ${CMAKE_CURRENT_LIST_DIR}/main.cc)
target_include_directories(consular-contacts PRIVATE ${CLI11_INCLUDE_DIR})
target_link_libraries(consular-contacts PRIVATE consular_contacts_service_lib)
target_compile_options(consular-contacts PRIVATE ${CONSULAR_WARNINGS})
