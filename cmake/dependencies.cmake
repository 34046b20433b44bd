# Finds the Debian packages covenant links against and says what it found.
find_package(PkgConfig REQUIRED)

set(COVENANT_REQUIRED_PKGS libsodium jansson libcurl sqlite3 libsecp256k1 libxxhash)
foreach(pkg ${COVENANT_REQUIRED_PKGS})
  string(TOUPPER ${pkg} var)
  pkg_check_modules(${var} REQUIRED IMPORTED_TARGET ${pkg})
  message(STATUS "covenant: found ${pkg} ${${var}_VERSION}")
endforeach()

# secp256k1 must have the recovery module: Substrate ecdsa signatures are recoverable.
include(CheckSymbolExists)
set(CMAKE_REQUIRED_INCLUDES ${LIBSECP256K1_INCLUDE_DIRS})
set(CMAKE_REQUIRED_LIBRARIES ${LIBSECP256K1_LINK_LIBRARIES})
check_symbol_exists(secp256k1_ecdsa_recover "secp256k1_recovery.h" COVENANT_HAVE_SECP_RECOVERY)
unset(CMAKE_REQUIRED_INCLUDES)
unset(CMAKE_REQUIRED_LIBRARIES)
if(NOT COVENANT_HAVE_SECP_RECOVERY)
  message(FATAL_ERROR "libsecp256k1 lacks the recovery module (secp256k1_recovery.h)")
endif()

find_path(CMOCKA_INCLUDE_DIR cmocka.h)
find_library(CMOCKA_LIBRARY cmocka)
if(CMOCKA_INCLUDE_DIR AND CMOCKA_LIBRARY)
  message(STATUS "covenant: found cmocka ${CMOCKA_LIBRARY}")
  set(COVENANT_HAVE_CMOCKA ON)
else()
  message(STATUS "covenant: cmocka NOT found: unit tests will not be built")
  set(COVENANT_HAVE_CMOCKA OFF)
endif()

# The training core's matmuls: CBLAS from OpenBLAS (Debian's libopenblas-dev
# puts cblas.h under the multiarch include folder).
set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)
find_path(COVENANT_CBLAS_INCLUDE_DIR cblas.h
          PATHS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE} /usr/include/openblas)
if(NOT COVENANT_CBLAS_INCLUDE_DIR)
  message(FATAL_ERROR "cblas.h not found (on Debian: apt-get install libopenblas-dev)")
endif()
message(STATUS "covenant: found OpenBLAS ${BLAS_LIBRARIES} (cblas.h in ${COVENANT_CBLAS_INCLUDE_DIR})")
# OpenMP for the training loops; clang needs libomp-dev for it.
find_package(OpenMP COMPONENTS C)
if(OpenMP_C_FOUND)
  message(STATUS "covenant: found OpenMP ${OpenMP_C_VERSION}")
  # With gcc (libgomp), link OpenBLAS's OpenMP build so its threads and ours
  # are one pool: beside the default pthreads build, idle OpenMP threads spin
  # while OpenBLAS's threads work, and a 10m training step on two cores ran
  # at 30 GFLOP/s instead of 130 (docs/performance.md). Both builds have the
  # soname libopenblas.so.0, so the run path points the loader at this one.
  find_library(COVENANT_OPENBLAS_OPENMP openblas
               PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp NO_DEFAULT_PATH)
  if(COVENANT_OPENBLAS_OPENMP AND CMAKE_C_COMPILER_ID STREQUAL "GNU")
    set(BLAS_LIBRARIES ${COVENANT_OPENBLAS_OPENMP})
    get_filename_component(COVENANT_OPENBLAS_DIR ${COVENANT_OPENBLAS_OPENMP} DIRECTORY)
    list(APPEND CMAKE_BUILD_RPATH ${COVENANT_OPENBLAS_DIR})
    list(APPEND CMAKE_INSTALL_RPATH ${COVENANT_OPENBLAS_DIR})
    message(STATUS "covenant: using OpenBLAS's OpenMP build ${COVENANT_OPENBLAS_OPENMP}")
  elseif(CMAKE_C_COMPILER_ID STREQUAL "GNU")
    message(STATUS "covenant: OpenBLAS's OpenMP build NOT found (libopenblas-openmp-dev): "
                   "set OMP_WAIT_POLICY=passive for full training speed")
  endif()
else()
  message(STATUS "covenant: OpenMP NOT found: the training core runs on one thread")
endif()
pkg_check_modules(LIBMICROHTTPD QUIET IMPORTED_TARGET libmicrohttpd)
if(LIBMICROHTTPD_FOUND)
  message(STATUS "covenant: found libmicrohttpd ${LIBMICROHTTPD_VERSION}")
else()
  message(STATUS "covenant: libmicrohttpd NOT found (needed from the node on)")
endif()

# CUDA: AUTO builds kernels/ only where nvcc is found.
set(COVENANT_WITH_CUDA OFF)
if(NOT COVENANT_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(COVENANT_WITH_CUDA ON)
    message(STATUS "covenant: found nvcc ${CMAKE_CUDA_COMPILER}: kernels/ will be built")
  elseif(COVENANT_CUDA STREQUAL "ON")
    message(FATAL_ERROR "COVENANT_CUDA=ON but no CUDA compiler (nvcc) was found")
  else()
    message(STATUS "covenant: nvcc NOT found: kernels/ skipped (CPU reference only)")
  endif()
endif()
