// SPDX-License-Identifier: MIT
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "process/line_splitter.hpp"

using namespace pt;

namespace {

struct Piece
{
  Stream stream;
  std::string text;
  bool continued;
  LineEnd end;
};

class PieceSink final : public OutputSink
{
public:
  void on_line(Stream stream, std::string_view text, LineEnd end) override
  {
    pieces.push_back({stream, std::string(text), end == LineEnd::continues, end});
  }
  std::vector<std::string> texts() const
  {
    std::vector<std::string> result;
    for (const auto& piece : pieces) {
      result.push_back(piece.text);
    }
    return result;
  }
  std::vector<Piece> pieces;
};

using Texts = std::vector<std::string>;

} // namespace

TEST_CASE("LineSplitter: splits on newlines and drops them")
{
  PieceSink sink;
  LineSplitter splitter(Stream::err, sink);
  splitter.feed("one\ntwo\n\nthree\n");
  CHECK(sink.texts() == Texts{"one", "two", "", "three"});
  for (const auto& piece : sink.pieces) {
    CHECK(piece.stream == Stream::err);
    CHECK_FALSE(piece.continued);
  }
}

TEST_CASE("LineSplitter: joins a line fed in several chunks")
{
  PieceSink sink;
  LineSplitter splitter(Stream::out, sink);
  splitter.feed("hel");
  splitter.feed("lo wo");
  CHECK(sink.pieces.empty());
  splitter.feed("rld\nnext");
  CHECK(sink.texts() == Texts{"hello world"});
  splitter.feed("\n");
  CHECK(sink.texts() == Texts{"hello world", "next"});
}

TEST_CASE("LineSplitter: finish delivers a final line without newline, and nothing else")
{
  PieceSink sink;
  LineSplitter splitter(Stream::out, sink);
  splitter.feed("done\npartial");
  splitter.finish();
  CHECK(sink.texts() == Texts{"done", "partial"});
  CHECK(sink.pieces[0].end == LineEnd::newline);
  CHECK(sink.pieces[1].end == LineEnd::end_of_output);
  splitter.finish();
  CHECK(sink.pieces.size() == 2);
}

TEST_CASE("LineSplitter: keeps bytes as they are")
{
  PieceSink sink;
  LineSplitter splitter(Stream::out, sink);
  const std::string bytes("a\0b\r\n\xff\xfe\x80\n", 9);
  splitter.feed(bytes);
  CHECK(sink.texts() == Texts{std::string("a\0b\r", 4), "\xff\xfe\x80"});
}

TEST_CASE("LineSplitter: a line of exactly k_max_line_bytes arrives whole")
{
  PieceSink sink;
  LineSplitter splitter(Stream::out, sink);
  splitter.feed(std::string(k_max_line_bytes, 'a'));
  CHECK(sink.pieces.empty());
  splitter.feed("\n");
  REQUIRE(sink.pieces.size() == 1);
  CHECK(sink.pieces[0].text.size() == k_max_line_bytes);
  CHECK_FALSE(sink.pieces[0].continued);
}

TEST_CASE("LineSplitter: an over-long line arrives in pieces, the last not continued")
{
  const std::size_t length = 3 * k_max_line_bytes + 5;
  const std::string line(length, 'x');
  PieceSink sink;
  LineSplitter splitter(Stream::out, sink);

  SUBCASE("in one chunk")
  {
    splitter.feed(line + "\nafter\n");
  }
  SUBCASE("a byte at a time")
  {
    for (const char byte : line + "\nafter\n") {
      splitter.feed(std::string_view(&byte, 1));
    }
  }
  SUBCASE("in odd chunks")
  {
    const std::string all = line + "\nafter\n";
    for (std::size_t at = 0; at < all.size(); at += 7001) {
      splitter.feed(std::string_view(all).substr(at, 7001));
    }
  }
  REQUIRE(sink.pieces.size() == 5);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(sink.pieces[i].text == std::string(k_max_line_bytes, 'x'));
    CHECK(sink.pieces[i].continued);
  }
  CHECK(sink.pieces[3].text == "xxxxx");
  CHECK_FALSE(sink.pieces[3].continued);
  CHECK(sink.pieces[4].text == "after");
  CHECK_FALSE(sink.pieces[4].continued);
}

TEST_CASE("LineSplitter: two full pieces end with a full final piece, never an empty one")
{
  PieceSink sink;
  LineSplitter splitter(Stream::out, sink);
  splitter.feed(std::string(2 * k_max_line_bytes, 'y'));
  splitter.feed("\n");
  REQUIRE(sink.pieces.size() == 2);
  CHECK(sink.pieces[0].continued);
  CHECK(sink.pieces[1].text.size() == k_max_line_bytes);
  CHECK_FALSE(sink.pieces[1].continued);
}

TEST_CASE("LineSplitter: finish ends an over-long line without newline")
{
  PieceSink sink;
  LineSplitter splitter(Stream::out, sink);
  splitter.feed(std::string(k_max_line_bytes + 1, 'z'));
  splitter.finish();
  REQUIRE(sink.pieces.size() == 2);
  CHECK(sink.pieces[0].continued);
  CHECK(sink.pieces[1].text == "z");
  CHECK(sink.pieces[1].end == LineEnd::end_of_output);
}
