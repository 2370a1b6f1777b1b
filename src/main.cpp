// SPDX-License-Identifier: MIT
#include "app/app.hpp"

int main(int argc, char** argv)
{
  return pt::main_entry(argc, argv);
}
