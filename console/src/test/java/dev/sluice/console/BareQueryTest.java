package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which inputs are a bare query the console previews (issue 16), and which are not: a held or computed result is whole. */
class BareQueryTest {
    @Test
    void aQueryTypedAloneIsBare() {
        assertEquals(Optional.of(new BareQuery.Receiver("shop", null)), BareQuery.of("shop.query(\"select * from t\")"));
        assertEquals(Optional.of(new BareQuery.Receiver("shop", null)), BareQuery.of("  shop . query(\"select (a), ';' from t where x = ?\", 5) ;\n"));
        assertEquals(Optional.of(new BareQuery.Receiver(null, "my tier")), BareQuery.of("tier(\"my tier\").query(\"select \" + cols + \" from t\")"));
        assertEquals(Optional.of(new BareQuery.Receiver("t", null)), BareQuery.of("t.query(\"\"\"\n  select ')' from t\n  \"\"\")"));
    }

    @Test
    void aQueryThatIsHeldComputedOnOrFedByAnotherCallIsNot() {
        for (String s : List.of("var r = shop.query(\"select * from t\")", "r = shop.query(\"select 1\")",
                "shop.query(\"select * from t\").size()", "shop.query(String.valueOf(other.query(\"select 1\").value()))",
                "shop.exec(\"delete from t\")", "shop.query(\"select 1\") // note", "for (var r : shop.query(\"select 1\")) {}",
                "shop.query(\"unclosed)")) {
            assertTrue(BareQuery.of(s).isEmpty(), s);
        }
    }
}
