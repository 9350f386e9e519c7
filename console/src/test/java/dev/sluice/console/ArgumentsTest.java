package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 15 (one argument syntax): splitting, completion's word start and quoting read arguments alike. */
class ArgumentsTest {
    @Test
    void quotedWordsKeepTheirSpacesAndAnyWhiteSpaceSeparates() {
        assertEquals(List.of("p.groovy", "--only", "backfill tasks"), Arguments.split("p.groovy\t--only \"backfill tasks\""));
        assertEquals(List.of("it's here"), Arguments.split("\"it's here\""));
    }

    @Test
    void completionStartsWhereSplittingWouldStartTheLastWord() {
        for (String args : List.of("a b", "a\tb", "--only \"backfill ta", "--only 'x y' z", "one")) {
            int start = Arguments.lastStart(args);
            List<String> words = Arguments.split(args);
            assertEquals(words.subList(0, words.size() - 1), Arguments.split(args.substring(0, start)), args);
            assertEquals(words.get(words.size() - 1), Arguments.split(args.substring(start)).get(0), args);
        }
    }

    @Test
    void aQuotedWordComesBackWhole() {
        for (String w : List.of("plain", "two words", "tab\tinside")) {
            assertEquals(List.of(w), Arguments.split(Arguments.quoted(w)));
        }
    }
}
