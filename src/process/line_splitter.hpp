// SPDX-License-Identifier: MIT
// Splits a byte stream into lines with a bounded buffer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "process/process.hpp"

namespace pt {

// Longest piece of a line delivered at once; longer lines arrive in pieces.
inline constexpr std::size_t k_max_line_bytes = std::size_t{16} * 1024;

class LineSplitter
{
public:
  LineSplitter(Stream stream, OutputSink& sink) : m_stream(stream), m_sink(sink) {}
  // Feeds `bytes`; complete lines (and full pieces of over-long ones) go to the sink.
  void feed(std::string_view bytes);
  // Delivers a final line that had no newline.
  void finish();

private:
  Stream m_stream;
  OutputSink& m_sink;
  std::string m_pending; // never longer than k_max_line_bytes
};

} // namespace pt
