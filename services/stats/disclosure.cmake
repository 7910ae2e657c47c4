# Statistical disclosure control: cell suppression for tables of counts and its LP checks.
add_library(consular_disclosure STATIC ${CMAKE_CURRENT_LIST_DIR}/disclosure.cc
            ${CMAKE_CURRENT_LIST_DIR}/linear_program.cc)
target_link_libraries(consular_disclosure PUBLIC absl::status absl::strings
                      PRIVATE ${GLPK_LIBRARY})
target_include_directories(consular_disclosure PRIVATE ${GLPK_INCLUDE_DIR})
target_compile_options(consular_disclosure PRIVATE ${CONSULAR_WARNINGS})
