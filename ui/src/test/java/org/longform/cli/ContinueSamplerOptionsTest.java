package org.longform.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.longform.cli.CliTest.FIXTURES;
import static org.longform.cli.CliTest.run;

import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.longform.ui.TestSupport;

/** bin/longform continue --logit-bias / --bias-phrase / --dry-* / --xtc-* on the tiny fixture model. */
class ContinueSamplerOptionsTest {
    static final String MODEL = FIXTURES.resolve("tiny-mpt-4h").toString();

    static int[] ids(CliTest.Run r) {
        assertEquals(0, r.code(), r.err());
        return Arrays.stream(r.out().strip().split(" "))
                .mapToInt(Integer::parseInt)
                .toArray();
    }

    static CliTest.Run greedy(String ids, String... extra) {
        String[] base = {
            "continue", "--model", MODEL, "--ids", ids, "--max-tokens", "4", "--temperature", "0", "--print-ids"
        };
        String[] all = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return run(all);
    }

    @Test
    void logitBiasMovesAndForcesGreedyChoices() {
        int first = ids(greedy("20,21,22"))[0];
        assertNotEquals(first, ids(greedy("20,21,22", "--logit-bias", first + ":-100"))[0]);
        assertArrayEquals(new int[] {25, 25, 25, 25}, ids(greedy("20,21,22", "--logit-bias=25:100")));
        // repeated options on one id add up: +60 - 60 is no bias at all
        assertArrayEquals(
                ids(greedy("20,21,22")), ids(greedy("20,21,22", "--logit-bias", "25:60", "--logit-bias", "25:-60")));
    }

    @Test
    void phraseBiasRaisesTheFirstTokenOfThePhrase() {
        int[] out = ids(greedy("20,21,22", "--bias-phrase", "dragon:100"));
        var t = TestSupport.tokenizer();
        Set<Integer> firsts = Set.of(t.encode("dragon")[0], t.encode(" dragon")[0]);
        assertTrue(firsts.contains(out[0]), Arrays.toString(out) + " starts with one of " + firsts);
    }

    @Test
    void dryStopsATokenThatWouldRepeatASequence() {
        // "3 4 5 3 4" then 5 would repeat "3 4 5": a +50 bias makes 5 the greedy choice, a strong DRY forbids it
        String rep = "20,21,22,20,21";
        assertEquals(22, ids(greedy(rep, "--logit-bias", "22:50"))[0]);
        assertNotEquals(
                22,
                ids(greedy(rep, "--logit-bias", "22:50", "--dry-multiplier", "1000", "--dry-allowed-length", "2"))[0]);
        // allowed length 3: the repeat of length 2 is free
        assertEquals(
                22,
                ids(greedy(rep, "--logit-bias", "22:50", "--dry-multiplier", "1000", "--dry-allowed-length", "3"))[0]);
        // with "4" (id 21) a sequence breaker the text ends on a breaker: nothing counts as a repeat
        assertEquals(
                22, ids(greedy(rep, "--logit-bias", "22:50", "--dry-multiplier", "1000", "--dry-breaker", "4"))[0]);
    }

    @Test
    void xtcWithThresholdZeroLeavesOnlyTheLeastLikelyCandidate() {
        String[] common = {
            "continue",
            "--model",
            MODEL,
            "--ids",
            "20,21,22",
            "--max-tokens",
            "6",
            "--print-ids",
            "--xtc-threshold",
            "0",
            "--xtc-probability",
            "1",
            "--seed"
        };
        String[] a = Arrays.copyOf(common, common.length + 1);
        a[common.length] = "1";
        String[] b = a.clone();
        b[common.length] = "2";
        // one candidate is left each step, so the seed no longer matters
        assertArrayEquals(ids(run(a)), ids(run(b)));
    }

    @Test
    void badSamplerOptionsGiveOneLineErrors() {
        String[][] cases = {
            {"--logit-bias", "dragon:1", "\"dragon\" is not a token id"},
            {"--logit-bias", "25", "expected ID:BIAS"},
            {"--logit-bias", "25:lots", "\"lots\" is not a number"},
            {"--logit-bias", "99999999:1", "token id 99999999"},
            {"--bias-phrase", "dragon", "expected TEXT:BIAS"},
            {"--xtc-threshold", "2", "XTC threshold must be in [0, 1]"},
            {"--dry-base", "0.5", "DRY base must be"},
        };
        for (String[] c : cases) {
            CliTest.Run r = greedy("20,21,22", c[0], c[1]);
            assertNotEquals(0, r.code(), c[0] + " " + c[1]);
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(c[2]), c[0] + " " + c[1] + " -> " + r.err());
        }
    }
}
