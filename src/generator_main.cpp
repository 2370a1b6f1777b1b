// SPDX-License-Identifier: MIT
#include "generator/generator.hpp"

int main(int argc, char** argv)
{
  return pt::generator_main(argc, argv);
}
