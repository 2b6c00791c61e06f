# Fuzz targets. The corpus under corpus/config is replayed by an ordinary test in
# every build (and so under the sanitizers). With clang and -DATTNBENCH_FUZZ=ON a
# libFuzzer binary `fuzz_config` is also built, over a copy of the library
# instrumented for coverage:
#   build/tests/fuzz_config -max_total_time=120 -dict=tests/fuzz/config.dict NEW_DIR \
#       tests/fuzz/corpus/config
option(ATTNBENCH_FUZZ "Build libFuzzer targets (clang only)" OFF)

add_executable(fuzz_config_replay ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/replay.c
               ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_config.c)
target_link_libraries(fuzz_config_replay PRIVATE attnbench_test_support)
add_test(NAME fuzz_config_replay
         COMMAND fuzz_config_replay ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/config)
set_tests_properties(fuzz_config_replay PROPERTIES LABELS "fuzz" TIMEOUT 120)

if(ATTNBENCH_FUZZ)
  if(CMAKE_C_COMPILER_ID MATCHES "Clang")
    attnbench_library(attnbench_core_fuzz)
    target_compile_options(attnbench_core_fuzz PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
    add_executable(fuzz_config ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_config.c)
    target_compile_options(fuzz_config PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(fuzz_config PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(fuzz_config PRIVATE attnbench_core_fuzz)
  else()
    message(WARNING "ATTNBENCH_FUZZ needs clang (libFuzzer); no fuzz binaries are built")
  endif()
endif()
