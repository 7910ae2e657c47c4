# Fails when a source file includes a header of a layer above its own. Run at build time by the
# consular_layering target (cmake/layering.cmake): cmake -DSOURCE_DIR=<root> -P check_includes.cmake
#   base/               only base/ (and outside libraries)
#   crypto/             base/ and crypto/
#   storage/            nothing of services/ or tools/
#   services/common/    nothing of another folder of services/
#   services/<name>/    services/common/ and its own folder, never another service's
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "check_includes.cmake: SOURCE_DIR is required")
endif()

set(violations "")
function(consular_scan folder)  # folder, then the include prefixes forbidden in it
  file(GLOB_RECURSE files "${SOURCE_DIR}/${folder}/*.h" "${SOURCE_DIR}/${folder}/*.cc")
  foreach(file IN LISTS files)
    file(STRINGS "${file}" includes REGEX "^#include \"")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^#include \"([^\"]*)\".*" "\\1" header "${line}")
      foreach(forbidden IN LISTS ARGN)
        if(header MATCHES "^${forbidden}")
          file(RELATIVE_PATH rel "${SOURCE_DIR}" "${file}")
          list(APPEND violations "${rel} includes ${header}")
        endif()
      endforeach()
    endforeach()
  endforeach()
  set(violations "${violations}" PARENT_SCOPE)
endfunction()

consular_scan(base "crypto/" "storage/" "services/" "tools/" "consular/")
consular_scan(crypto "storage/" "services/" "tools/")
consular_scan(storage "services/" "tools/")
file(GLOB service_dirs LIST_DIRECTORIES true RELATIVE "${SOURCE_DIR}/services"
     "${SOURCE_DIR}/services/*")
set(service_names "")
foreach(dir IN LISTS service_dirs)
  if(IS_DIRECTORY "${SOURCE_DIR}/services/${dir}")
    list(APPEND service_names "${dir}")
  endif()
endforeach()
foreach(name IN LISTS service_names)
  set(forbidden "tools/")
  foreach(other IN LISTS service_names)
    if(NOT other STREQUAL name AND NOT other STREQUAL "common")
      list(APPEND forbidden "services/${other}/")
    endif()
  endforeach()
  consular_scan("services/${name}" ${forbidden})
endforeach()

if(violations)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "layering: a file includes a layer above its own (see cmake/layering.cmake):\n  ${text}")
endif()
