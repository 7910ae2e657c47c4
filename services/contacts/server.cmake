# The contacts service's use cases (ContactsManager): the partner directory, the register of units
# and the contact log.
add_library(consular_contacts_lib STATIC ${CMAKE_CURRENT_LIST_DIR}/partner_directory.cc
            ${CMAKE_CURRENT_LIST_DIR}/contact_log.cc ${CMAKE_CURRENT_LIST_DIR}/unit_register.cc)
target_link_libraries(consular_contacts_lib PUBLIC consular_partner_rules consular_contact_rules
                      consular_service_support consular_proto)
target_compile_options(consular_contacts_lib PRIVATE ${CONSULAR_WARNINGS})

# consular-contacts: the gRPC adapters and the server.
add_library(consular_contacts_service_lib STATIC ${CMAKE_CURRENT_LIST_DIR}/contacts_service.cc)
target_link_libraries(consular_contacts_service_lib PUBLIC consular_contacts_lib consular_proto)
target_compile_options(consular_contacts_service_lib PRIVATE ${CONSULAR_WARNINGS})

add_executable(consular-contacts ${CMAKE_CURRENT_LIST_DIR}/main.cc)
target_include_directories(consular-contacts PRIVATE ${CLI11_INCLUDE_DIR})
target_link_libraries(consular-contacts PRIVATE consular_contacts_service_lib)
target_compile_options(consular-contacts PRIVATE ${CONSULAR_WARNINGS})
