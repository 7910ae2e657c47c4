# The layers only point down: base/, proto/ and crypto/ at the bottom, storage/ on them, services/common/
# on storage/, each service on services/common/, tools/ and tests/ on top.
#
# Two checks hold this:
# - consular_check_link_layering(), called once every target exists, fails the configure step when
#   a library of storage/ or crypto/ links anything of services/ or tools/, or a target of one
#   service links a library of another service (services/common/ is shared by all);
# - the consular_layering target runs cmake/check_includes.cmake on every build and fails it when a
#   source file includes a header of a layer above its own.

# The folder (relative to the source root) a target of ours was defined in; empty for imported
# targets and for names that are not targets.
function(consular_target_folder target out)
  set(folder "")
  if(TARGET "${target}")
    get_target_property(imported "${target}" IMPORTED)
    if(NOT imported)
      get_target_property(dir "${target}" SOURCE_DIR)
      file(RELATIVE_PATH folder "${CMAKE_SOURCE_DIR}" "${dir}")
    endif()
  endif()
  set(${out} "${folder}" PARENT_SCOPE)
endfunction()

# Every target of ours `target` links, directly or through others.
function(consular_linked_targets target out)
  set(seen "")
  set(queue "${target}")
  while(queue)
    list(POP_FRONT queue current)
    get_target_property(links "${current}" LINK_LIBRARIES)
    if(NOT links)
      continue()
    endif()
    foreach(link IN LISTS links)
      consular_target_folder("${link}" folder)
      if(folder STREQUAL "" OR link IN_LIST seen)
        continue()
      endif()
      list(APPEND seen "${link}")
      list(APPEND queue "${link}")
    endforeach()
  endwhile()
  set(${out} "${seen}" PARENT_SCOPE)
endfunction()

# The layer of a folder: "crypto", "storage", "services/common", "services/<name>" or "" (others).
function(consular_layer_of folder out)
  if(folder MATCHES "^(base|crypto|storage|proto)(/|$)")
    set(${out} "${CMAKE_MATCH_1}" PARENT_SCOPE)
  elseif(folder MATCHES "^services/([^/]+)")
    set(${out} "services/${CMAKE_MATCH_1}" PARENT_SCOPE)
  elseif(folder MATCHES "^tools(/|$)")
    set(${out} "tools" PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

function(consular_check_link_layering)
  set(violations "")
  foreach(dir IN ITEMS base crypto storage services/common services/cases services/audit
                       services/contacts services/stats)
    if(NOT IS_DIRECTORY "${CMAKE_SOURCE_DIR}/${dir}")
      message(FATAL_ERROR "layering: ${dir} is not a folder; update cmake/layering.cmake")
    endif()
    get_property(targets DIRECTORY "${CMAKE_SOURCE_DIR}/${dir}" PROPERTY BUILDSYSTEM_TARGETS)
    foreach(target IN LISTS targets)
      consular_layer_of("${dir}" layer)
      consular_linked_targets("${target}" linked)
      foreach(link IN LISTS linked)
        consular_target_folder("${link}" link_folder)
        consular_layer_of("${link_folder}" link_layer)
        set(bad FALSE)
        if(layer MATCHES "^(base|crypto|storage)$" AND link_layer MATCHES "^(services/|tools)")
          set(bad TRUE)
        elseif(layer MATCHES "^(base|crypto)$" AND link_layer STREQUAL "storage")
          set(bad TRUE)
        elseif(layer STREQUAL "base" AND link_layer MATCHES "^(crypto|proto)$")
          set(bad TRUE)
        elseif(layer STREQUAL "services/common" AND link_layer MATCHES "^services/"
               AND NOT link_layer STREQUAL "services/common")
          set(bad TRUE)
        elseif(layer MATCHES "^services/" AND NOT layer STREQUAL "services/common"
               AND link_layer MATCHES "^services/" AND NOT link_layer STREQUAL "services/common"
               AND NOT link_layer STREQUAL layer)
          set(bad TRUE)
        elseif(layer MATCHES "^services/" AND link_layer STREQUAL "tools")
          set(bad TRUE)
        endif()
        if(bad)
          list(APPEND violations "${target} (${dir}) links ${link} (${link_folder})")
        endif()
      endforeach()
    endforeach()
  endforeach()
  if(violations)
    list(JOIN violations "\n  " text)
    message(FATAL_ERROR "layering: a target links a layer above its own or another service:\n  ${text}")
  endif()
endfunction()

add_custom_target(consular_layering ALL
  COMMAND "${CMAKE_COMMAND}" "-DSOURCE_DIR=${CMAKE_SOURCE_DIR}"
          -P "${CMAKE_SOURCE_DIR}/cmake/check_includes.cmake"
  COMMENT "Checking that includes only point down the layers"
  VERBATIM)
