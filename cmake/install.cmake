# `make install` / `cmake --install`: the binary, the face model weights, the systemd unit
# and an example environment file. Nothing goes to /etc here: the Debian package installs
# /etc/attendly/attendly.env as a conffile (cmake/package.cmake).
include(GNUInstallDirs)

# The prefix the Debian package installs to (cmake/package.cmake).
set(ATTENDLY_PACKAGE_PREFIX /usr)

if(TARGET attendly)
  install(TARGETS attendly RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# The weights the engine loads: every manifest and its .bin, not the demo photos.
# Globbed through the models symlink, so the files themselves are installed.
file(GLOB ATTENDLY_MODEL_FILES ${CMAKE_SOURCE_DIR}/models/*-weights_manifest.json
                               ${CMAKE_SOURCE_DIR}/models/*.bin)
if(NOT ATTENDLY_MODEL_FILES)
  message(WARNING "no model weights in ${CMAKE_SOURCE_DIR}/models (run `make models`): "
                  "the installed server will answer 503 on face endpoints")
endif()
install(FILES ${ATTENDLY_MODEL_FILES} DESTINATION ${CMAKE_INSTALL_DATADIR}/attendly/models)

install(FILES ${CMAKE_SOURCE_DIR}/packaging/attendly.env
        DESTINATION ${CMAKE_INSTALL_DATADIR}/attendly RENAME attendly.env.example)

# The unit names absolute paths, so it is configured for each prefix it may be installed
# under: the configured CMAKE_INSTALL_PREFIX and the package's /usr. The install step
# picks the one for the prefix in effect (cpack installs with /usr whatever the build's
# prefix is) and refuses any other prefix rather than install a unit pointing elsewhere.
set(ATTENDLY_UNIT_PREFIXES ${CMAKE_INSTALL_PREFIX})
if(NOT CMAKE_INSTALL_PREFIX STREQUAL ATTENDLY_PACKAGE_PREFIX)
  list(APPEND ATTENDLY_UNIT_PREFIXES ${ATTENDLY_PACKAGE_PREFIX})
endif()
list(JOIN ATTENDLY_UNIT_PREFIXES " and " ATTENDLY_UNIT_PREFIX_TEXT)
set(ATTENDLY_UNIT_CASES "")
foreach(prefix IN LISTS ATTENDLY_UNIT_PREFIXES)
  set(bindir ${prefix}/${CMAKE_INSTALL_BINDIR})
  set(datadir ${prefix}/${CMAKE_INSTALL_DATADIR})
  string(MAKE_C_IDENTIFIER "${prefix}" tag)
  set(unit ${CMAKE_BINARY_DIR}/packaging/${tag}/attendly.service)
  configure_file(${CMAKE_SOURCE_DIR}/packaging/attendly.service.in ${unit} @ONLY)
  string(APPEND ATTENDLY_UNIT_CASES
    "if(CMAKE_INSTALL_PREFIX STREQUAL \"${prefix}\")\n  set(attendly_unit \"${unit}\")\nendif()\n")
endforeach()
install(CODE "
set(attendly_unit \"\")
${ATTENDLY_UNIT_CASES}
if(NOT attendly_unit)
  message(FATAL_ERROR \"attendly.service was configured for ${ATTENDLY_UNIT_PREFIX_TEXT}, not for \"
    \"\${CMAKE_INSTALL_PREFIX}: reconfigure with -DCMAKE_INSTALL_PREFIX=\${CMAKE_INSTALL_PREFIX} \"
    \"(make install PREFIX=... does this)\")
endif()
file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\" TYPE FILE
     FILES \"\${attendly_unit}\")
")
