package dev.tollgate.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The query syntax: each form read as documented, written safely for both engines; every mistake said in words. */
class SearchQueryTest {
    private static String fts(String q) {
        return SearchQuery.parse(q).fts5();
    }

    @Test
    void eachFormBecomesTheEnginesOwn() {
        assertEquals("(\"refund\" AND \"policy\")", fts("Refund policy"));
        assertEquals("((\"machine\" AND \"learning\") OR \"ai\")", fts("machine learning OR AI"));
        assertEquals("(\"refund\" NOT \"policy\")", fts("refund NOT policy"));
        assertEquals("\"exact phrase\"", fts("\"exact  Phrase\""));
        assertEquals("\"refu\"*", fts("refu*"));
        assertEquals("NEAR(\"timeout\" \"retry\", 3)", fts("timeout NEAR/3 retry"));
        assertEquals("(\"a\" AND (\"b\" OR \"c\"))", fts("a AND (b OR c)"));
        assertEquals("(\"drop\" AND \"table\" AND \"x\")", fts("'; DROP TABLE x; --"), "quotes and punctuation are no syntax");
    }

    @Test
    void postgresGetsBoundParametersAndEveryDistanceBothWays() {
        List<Object> params = new ArrayList<>();
        String sql = SearchQuery.parse("timeout NEAR/1 \"two words\"").postgres(params);
        assertEquals(8, params.size(), "distances 1 and 2, both orders, two operands each");
        assertTrue(sql.startsWith("(tsquery_phrase(phraseto_tsquery('simple', ?), phraseto_tsquery('simple', ?), 1)"), sql);
        List<Object> prefix = new ArrayList<>();
        SearchQuery.parse("refu*").postgres(prefix);
        assertEquals(List.of("'refu':*"), prefix);
        List<Object> not = new ArrayList<>();
        assertEquals("(phraseto_tsquery('simple', ?) && !!phraseto_tsquery('simple', ?))",
                SearchQuery.parse("refund NOT policy").postgres(not));
    }

    @Test
    void mistakesAreSaidInWords() {
        for (String[] bad : new String[][] {
            {"NOT policy", "needs words before it"},
            {"refund OR", "needs words on both sides"},
            {"\"open quote", "never closed"},
            {"(a OR b", "never closed"},
            {"a) b", "no '(' opened it"},
            {"a NEAR/0 b", "distance from 1 to 20"},
            {"a NEAR/99 b", "distance from 1 to 20"},
            {"(a OR b) NEAR/2 c", "joins two words or phrases"},
            {"\"\"", "no word"},
            {"  ", "no word"},
            {"((((((((((a))))))))))", "nested more than"},
        }) {
            SearchQuery.BadQuery e = assertThrows(SearchQuery.BadQuery.class, () -> SearchQuery.parse(bad[0]), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + " → " + e.getMessage());
        }
        assertThrows(SearchQuery.BadQuery.class, () -> SearchQuery.parse("x ".repeat(300)), "too long");
        assertThrows(SearchQuery.BadQuery.class, () -> SearchQuery.parse("w ".repeat(40)), "too many words");
    }

    @Test
    void aSnippetMarksTheQuerysWordsAroundTheFirstAndKeepsMarkupAsText() {
        String text = "one two three four five six seven eight nine ten <b>Refund</b> policy, thirty days; "
                + "a b c d e f g h i j k l m n o p q r s t u v w x y z";
        List<LogSearch.Segment> s = Snippet.of(text, SearchQuery.parse("refund NOT z OR poli*"));
        assertEquals("…four five six seven eight nine ten <b>", s.get(0).text(), "eight words before (b is one)");
        assertEquals(new LogSearch.Segment("Refund", true), s.get(1));
        assertEquals(new LogSearch.Segment("</b> ", false), s.get(2));
        assertEquals(new LogSearch.Segment("policy", true), s.get(3));
        assertTrue(s.get(s.size() - 1).text().endsWith("…"), "cut at the end too");
        assertTrue(s.stream().noneMatch(seg -> seg.marked() && seg.text().equals("z")), "words after NOT are not shown");
        assertEquals(List.of(new LogSearch.Segment("short text", false)),
                Snippet.of("short text", SearchQuery.parse("absent")), "no match: the beginning");
    }
}
