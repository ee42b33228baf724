# `make package`: a Debian package built by CPack from the install rules of
# cmake/install.cmake, installed under /usr, plus the conffile /etc/attendly/attendly.env
# and the maintainer scripts of packaging/deb/.

# The conffile is only for the package: EXCLUDE_FROM_ALL keeps it out of `make install`,
# and CPack installs its component explicitly (CPACK_INSTALL_CMAKE_PROJECTS below).
# 0640 root:root: systemd reads it as root, and it may hold secrets.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/attendly.env DESTINATION /etc/attendly
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ
        COMPONENT conffile EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME attendly)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Attendly maintainers <attendly@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "attendance server with in-process face recognition")
# Continuation lines under 80 columns (Debian policy 5.6.13).
set(CPACK_PACKAGE_DESCRIPTION
  "Attendly is an attendance backend for schools: teachers create classes,
students enrol their face, and a class photo records attendance. One HTTP
API server on SQLite or PostgreSQL, with the face model weights and a
hardened systemd unit.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${ATTENDLY_PACKAGE_PREFIX})
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR})
set(CPACK_STRIP_FILES ON)
# The default component (binary, models, unit, example) and the conffile.
set(CPACK_INSTALL_CMAKE_PROJECTS
  "${CMAKE_BINARY_DIR};attendly;Unspecified;/"
  "${CMAKE_BINARY_DIR};attendly;conffile;/")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends computed from the libraries the binary links (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# ATTENDLY_TIMEZONE looks zones up in the system's time zone database.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS tzdata)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS postgresql)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/packaging/deb/conffiles
  ${CMAKE_SOURCE_DIR}/packaging/deb/postinst
  ${CMAKE_SOURCE_DIR}/packaging/deb/prerm
  ${CMAKE_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
