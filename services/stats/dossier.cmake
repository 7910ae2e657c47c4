# Country dossier renderers (HTML, CSV, JSON): pure functions over a CountryDossier.
add_library(consular_dossier STATIC ${CMAKE_CURRENT_LIST_DIR}/dossier_render.cc)
target_link_libraries(consular_dossier PUBLIC consular_proto PRIVATE absl::strings absl::time)
target_compile_options(consular_dossier PRIVATE ${CONSULAR_WARNINGS})

# svg_chart knows nothing of dossiers: bar and column charts as SVG text.
add_library(consular_svg_chart STATIC ${CMAKE_CURRENT_LIST_DIR}/svg_chart.cc)
target_link_libraries(consular_svg_chart PRIVATE absl::strings)
target_compile_options(consular_svg_chart PRIVATE ${CONSULAR_WARNINGS})
