// The football-data.co.uk CSV reader (src/pricing/football_data.h) on the
// files' quirks, derived in the test (the shared files are never edited).
#include "pricing/football_data.h"

#include <gtest/gtest.h>

namespace inplay {
namespace {

TEST(CsvTable, CrlfLeadingBlankLineAndColumnsByName) {
  auto t = CsvTable::parse("\r\nDiv,HomeTeam,B365H,B365>2.5\r\nE0,Burnley,8,1.67\r\nE0,Arsenal,1.3,\r\n");
  ASSERT_EQ(t.header().size(), 4u);
  EXPECT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.column("B365>2.5"), 3);
  EXPECT_EQ(t.cell(0, "HomeTeam"), "Burnley");
  EXPECT_EQ(t.odds(0, "B365>2.5"), Odds{16700});  // no stray '\r' on the last cell
  EXPECT_EQ(t.odds(1, "B365H"), Odds{13000});
  EXPECT_FALSE(t.odds(1, "B365>2.5"));  // empty cell: not priced
}

TEST(CsvTable, MissingColumnsShortRowsAndBadCells) {
  auto t = CsvTable::parse("A,B,C\nx,1.5\n\ny,abc,2\n");
  EXPECT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.column("PSH"), -1);
  EXPECT_EQ(t.cell(0, "PSH"), "");
  EXPECT_EQ(t.cell(0, "C"), "");  // short row
  EXPECT_FALSE(t.odds(1, "B"));   // not a number
  EXPECT_FALSE(t.odds(5, "B"));   // no such row
  EXPECT_EQ(t.odds(0, "B"), Odds{15000});
}

TEST(CsvTable, QuotedFieldsAndNoFinalNewline) {
  auto t = CsvTable::parse("\xEF\xBB\xBFName,X\n\"Brighton, Hove\",\"say \"\"hi\"\"\"");
  EXPECT_EQ(t.column("Name"), 0);
  EXPECT_EQ(t.cell(0, "Name"), "Brighton, Hove");
  EXPECT_EQ(t.cell(0, "X"), "say \"hi\"");
}

TEST(CsvTable, ReadFileMissing) {
  CsvTable t;
  std::string err;
  EXPECT_FALSE(CsvTable::read_file("/nonexistent/x.csv", t, &err));
  EXPECT_NE(err.find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace inplay
