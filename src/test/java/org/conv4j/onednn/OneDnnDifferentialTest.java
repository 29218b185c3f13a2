package org.conv4j.onednn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import org.conv4j.DType;
import org.conv4j.OpKind;
import org.conv4j.testing.Differential;
import org.conv4j.testing.RandomSpecs;
import org.junit.jupiter.api.Test;

/**
 * The oneDNN engine against the reference engine on random cases of the shared generator (every operation, layout
 * and dtype), with the shared tolerances of {@link Differential}: fp32 sums within 2^-15 of the magnitude behind
 * each output, bf16 additionally one bf16 unit in the last place of the output. Cases oneDNN declines (f16
 * convolutions, reference kernels) go to other engines and are not compared here; the counts are printed.
 */
class OneDnnDifferentialTest {
    @Test
    void agreesWithReferenceOnRandomCases() {
        List<RandomSpecs.Case> cases = RandomSpecs.generate(20261128L, 3400);
        DeclineSurvey.survey(cases).forEach((k, v) -> System.out.println("  " + v + "\t" + k));
        Differential.Report r = Differential.assertAgrees(cases, "onednn", 2000);
        System.out.println("onednn differential: " + r.compared() + " compared, " + r.declined() + " declined of "
                + cases.size());
    }

    @Test
    void agreesOnBf16Convolutions() {
        List<RandomSpecs.Case> cases = RandomSpecs.generate(77L, 300,
                EnumSet.of(OpKind.CONV, OpKind.CONV_TRANSPOSE, OpKind.DENSE), EnumSet.of(DType.BF16));
        Differential.Report r = Differential.assertAgrees(cases, "onednn", 200);
        assertTrue(r.compared() > 0);
        System.out.println("onednn bf16: " + r.compared() + " compared, " + r.declined() + " declined");
    }
}
