# Country dossier renderers (HTML, CSV, JSON): pure functions over a CountryDossier.
add_library(consular_dossier STATIC ${CMAKE_CURRENT_LIST_DIR}/dossier_render.cc)
target_link_libraries(consular_dossier PUBLIC consular_proto PRIVATE absl::strings absl::time)
target_compile_options(consular_dossier PRIVATE ${CONSULAR_WARNINGS})
