# crm_python_test_environment(<var>): the ENVIRONMENT entries with which a Python test loads this
# build's libcrm from the source tree's binding (shared by tests/python and examples/python).
function(crm_python_test_environment var)
  set(env "CRM_LIBRARY=$<TARGET_FILE:crm>" "PYTHONPATH=${PROJECT_SOURCE_DIR}/bindings/python"
          "PYTHONDONTWRITEBYTECODE=1")  # no __pycache__ in the source tree
  if(CRM_SANITIZE)
    # libcrm is built with ASan/UBSan: their runtimes must be loaded before the interpreter,
    # and the interpreter's own allocations are not ours to report as leaks.
    foreach(runtime asan ubsan)
      execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=lib${runtime}.so
                      OUTPUT_VARIABLE path OUTPUT_STRIP_TRAILING_WHITESPACE)
      list(APPEND preload ${path})
    endforeach()
    # ASan intercepts crypt_r and finds the real one when it starts: libcrypt (libcrm's, for
    # bcrypt) must be loaded by then, not dlopen'ed later with libcrm, or the interceptor calls
    # a null pointer.
    list(APPEND preload libcrypt.so.1)
    list(JOIN preload ":" preload)
    list(APPEND env "LD_PRELOAD=${preload}" "ASAN_OPTIONS=detect_leaks=0")
  endif()
  set(${var} "${env}" PARENT_SCOPE)
endfunction()
