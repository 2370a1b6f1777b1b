// SPDX-License-Identifier: MIT
// The pidfd calls that the process/ files share, with the owned file descriptor
// (util/fd.hpp) they are held in.
#pragma once

#include "util/fd.hpp"

// glibc 2.36's <sys/pidfd.h> lacks the extern "C" that its other headers have
// (fixed in 2.37); without this, C++ callers link against mangled names.
extern "C" {
#include <sys/pidfd.h>
}
