# Country dossier renderers (HTML, CSV, JSON): pure functions over a CountryDossier.
# svg_chart knows nothing of dossiers: bar and column charts as SVG text.
add_library(consular_svg_chart STATIC ${CMAKE_CURRENT_LIST_DIR}/svg_chart.cc)
target_link_libraries(consular_svg_chart PUBLIC absl::strings consular_markup)
target_compile_options(consular_svg_chart PRIVATE ${CONSULAR_WARNINGS})

add_library(consular_dossier STATIC
  ${CMAKE_CURRENT_LIST_DIR}/dossier_charts.cc
  ${CMAKE_CURRENT_LIST_DIR}/dossier_csv.cc
  ${CMAKE_CURRENT_LIST_DIR}/dossier_format.cc
  ${CMAKE_CURRENT_LIST_DIR}/dossier_html.cc
  ${CMAKE_CURRENT_LIST_DIR}/dossier_json.cc
  ${CMAKE_CURRENT_LIST_DIR}/dossier_labels.cc
  ${CMAKE_CURRENT_LIST_DIR}/dossier_messages.cc
  ${CMAKE_CURRENT_LIST_DIR}/dossier_messages_nl.cc)
target_link_libraries(consular_dossier PUBLIC consular_proto consular_dates absl::flat_hash_map absl::strings
                      PRIVATE consular_svg_chart consular_markup absl::time)
target_compile_options(consular_dossier PRIVATE ${CONSULAR_WARNINGS})
