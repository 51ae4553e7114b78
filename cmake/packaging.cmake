# `cpack -G DEB` in the build folder: dgkafka and csv2kafka, their man pages (generated from the
# programs' --help and the key table), the systemd unit and the examples.
include(GNUInstallDirs)

set(MAN_DIR ${CMAKE_BINARY_DIR}/man)
set(MAN_PAGES dgkafka.1 csv2kafka.1 dgkafka.toml.5)
set(MAN_FILES)
foreach(page ${MAN_PAGES})
  add_custom_command(
    OUTPUT ${MAN_DIR}/${page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${MAN_DIR}
    COMMAND $<TARGET_FILE:dgkafka-docs> ${page} ${PROJECT_VERSION} > ${MAN_DIR}/${page}
    COMMAND gzip -9nf ${MAN_DIR}/${page}
    DEPENDS dgkafka-docs
    COMMENT "Man page ${page}")
  list(APPEND MAN_FILES ${MAN_DIR}/${page}.gz)
endforeach()
add_custom_target(man_pages ALL DEPENDS ${MAN_FILES})

install(TARGETS dgkafka csv2kafka RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${MAN_DIR}/dgkafka.1.gz ${MAN_DIR}/csv2kafka.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${MAN_DIR}/dgkafka.toml.5.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/dgkafka@.service DESTINATION lib/systemd/system)
# The docs README links, beside it.
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/MIGRATING.md ${CMAKE_SOURCE_DIR}/BENCHMARKS.md ${CMAKE_SOURCE_DIR}/ARCHITECTURE.md
              ${CMAKE_SOURCE_DIR}/BENCHMARKS-curves.svg DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dgkafka)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "dgkafka maintainers <dgkafka@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "load Apache Kafka topics into PostgreSQL, exactly once")
set(CPACK_PACKAGE_DESCRIPTION "dgkafka loads Kafka topics into PostgreSQL-compatible databases with the offsets committed in the same transaction as the rows; csv2kafka seeds topics from CSV files.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends from the binaries' shared libraries (dpkg-shlibdeps)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql-client, kcat, prometheus")
set(CPACK_STRIP_FILES ON)
include(CPack)
