# Golden tests, one folder per case and one line to register it (as in
# Souffle's cmake/SouffleTests.cmake):
#
#   mixtral_golden(eval/basic_routing)
#
# registers the ctest `golden/eval/basic_routing`, which runs
# tests/golden/run_golden.sh on tests/golden/eval/basic_routing/. See that
# script for what each category compares. Call mixtral_golden_check_all()
# after the last case so that a folder nobody registered fails the configure
# step instead of silently never running.

find_program(MIXTRAL_BASH bash REQUIRED)

# Seconds one mixtral run may take in a test driver before it counts as hung;
# sanitizer builds are several times slower.
if(MIXTRAL_SANITIZE)
  set(MIXTRAL_TEST_TIMEOUT 120)
else()
  set(MIXTRAL_TEST_TIMEOUT 20)
endif()

# The engines every evaluating test runs: the interpreter always, the JIT
# when the build has it.
set(MIXTRAL_TEST_ENGINES interp)
if(MIXTRAL_ENABLE_JIT)
  list(APPEND MIXTRAL_TEST_ENGINES jit)
endif()
list(JOIN MIXTRAL_TEST_ENGINES " " MIXTRAL_TEST_ENGINES_TEXT)

# Sanitizer reports exit with codes no mixtral command uses, so that every
# test that asserts an exit code also catches them (the shell drivers set the
# same values themselves, see tests/support/mixtral_test_lib.sh).
set(MIXTRAL_SANITIZER_ENV
  "ASAN_OPTIONS=exitcode=86:detect_leaks=1"
  "UBSAN_OPTIONS=halt_on_error=1:exitcode=87:print_stacktrace=1")

set(MIXTRAL_GOLDEN_DIR ${PROJECT_SOURCE_DIR}/tests/golden)
set_property(GLOBAL PROPERTY MIXTRAL_GOLDEN_CASES "")

function(mixtral_golden case)
  set(dir ${MIXTRAL_GOLDEN_DIR}/${case})
  if(NOT EXISTS ${dir}/policy.mxl)
    message(FATAL_ERROR "mixtral_golden(${case}): ${dir}/policy.mxl does not exist")
  endif()
  if(NOT EXISTS ${dir}/expected.err AND NOT EXISTS ${dir}/expected.json)
    message(FATAL_ERROR "mixtral_golden(${case}): needs expected.err or expected.json")
  endif()
  set_property(GLOBAL APPEND PROPERTY MIXTRAL_GOLDEN_CASES ${case})
  string(REGEX MATCH "^[^/]+" category ${case})
  add_test(NAME golden/${case}
    COMMAND ${MIXTRAL_BASH} ${MIXTRAL_GOLDEN_DIR}/run_golden.sh
            $<TARGET_FILE:mixtral_cli> $<TARGET_FILE:json_subset> ${dir})
  set_tests_properties(golden/${case} PROPERTIES
    LABELS "golden;golden-${category}"
    TIMEOUT 300
    ENVIRONMENT "MIXTRAL_TEST_TIMEOUT=${MIXTRAL_TEST_TIMEOUT};MIXTRAL_TEST_ENGINES=${MIXTRAL_TEST_ENGINES_TEXT}")
endfunction()

# Fails the configure step if a case folder exists that no mixtral_golden()
# call registered.
function(mixtral_golden_check_all)
  get_property(registered GLOBAL PROPERTY MIXTRAL_GOLDEN_CASES)
  file(GLOB on_disk RELATIVE ${MIXTRAL_GOLDEN_DIR} ${MIXTRAL_GOLDEN_DIR}/*/*/policy.mxl)
  foreach(policy IN LISTS on_disk)
    get_filename_component(case ${policy} DIRECTORY)
    if(NOT case IN_LIST registered)
      message(FATAL_ERROR "tests/golden/${case} is not registered: add mixtral_golden(${case})")
    endif()
  endforeach()
endfunction()
