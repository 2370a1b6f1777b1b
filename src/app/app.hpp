// SPDX-License-Identifier: MIT
// The composition root: builds the real collaborators and runs one command.
#pragma once

namespace pt {

// Runs the program for `argv` and returns its exit code.
int main_entry(int argc, char** argv);

} // namespace pt
