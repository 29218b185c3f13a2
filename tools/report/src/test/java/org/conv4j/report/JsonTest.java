package org.conv4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2.5e3, 0.125E-1], \"b\": {\"c\": true, \"d\": false, \"e\": null},"
                + " \"s\": \"x\\\"\\\\\\/\\n\\u00e9\", \"empty\": [], \"o\": {}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of(1.0, -2500.0, 0.0125), m.get("a"));
        Map<?, ?> b = (Map<?, ?>) m.get("b");
        assertEquals(Boolean.TRUE, b.get("c"));
        assertEquals(Boolean.FALSE, b.get("d"));
        assertTrue(b.containsKey("e"));
        assertNull(b.get("e"));
        assertEquals("x\"\\/\n\u00e9", m.get("s"));
        assertEquals(List.of(), m.get("empty"));
        assertEquals(Map.of(), m.get("o"));
        assertEquals(List.of("a", "b", "s", "empty", "o"), List.copyOf(m.keySet()), "file order kept");
    }

    @Test
    void rejectsMalformedTextWithAPosition() {
        for (String bad : List.of("", "{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "[1] 2", "{a: 1}", "-", "1.", "\"\\q\"")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("JSON: ") && e.getMessage().contains("line 1"), e.getMessage());
        }
    }
}
