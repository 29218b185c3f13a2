package org.conv4j.onednn;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.conv4j.Conv4j;
import org.conv4j.spi.Engine;
import org.conv4j.spi.Support;
import org.conv4j.testing.RandomSpecs;

/** Counts what the oneDNN engine declines, by operation, dtype and reason (printed by the differential test). */
final class DeclineSurvey {
    private DeclineSurvey() {
    }

    static Map<String, Integer> survey(List<RandomSpecs.Case> cases) {
        Engine e = Conv4j.engines().stream().filter(s -> s.name().equals("onednn")).findFirst().orElseThrow().engine();
        Map<String, Integer> out = new TreeMap<>();
        for (RandomSpecs.Case c : cases) {
            Support s = e.supports(c.spec());
            String key = c.spec().kind().id() + " " + c.spec().dtype().id() + ": "
                    + (s.supported() ? "runs (" + s.reason().replaceAll(":.*", "") + ")" : s.reason());
            out.merge(key, 1, Integer::sum);
        }
        return out;
    }
}
