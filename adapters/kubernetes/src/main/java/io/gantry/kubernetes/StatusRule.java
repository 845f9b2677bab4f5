package io.gantry.kubernetes;

import io.gantry.spi.Rollout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One row of a kind's status table: when {@code holds}, the engine's verdict on the rollout and its words
 * for the message. A table is read in order: every rule that holds adds its words, and the first that
 * holds with a verdict other than {@link Rollout#NONE} decides the rollout (so "rollout paused" wins over
 * the progress a paused rollout still reports, and both are said).
 *
 * @param <F> what the rules of one kind read (its facts, null-safe)
 */
record StatusRule<F>(String name, Predicate<F> holds, Rollout rollout, Function<F, String> words) {

    /** The rollout verdict and the words of a table for these facts. */
    record Verdict(Rollout rollout, List<String> words) {
    }

    static <F> Verdict judge(List<StatusRule<F>> table, F facts) {
        Rollout rollout = Rollout.NONE;
        List<String> words = new ArrayList<>();
        for (StatusRule<F> rule : table) {
            if (!rule.holds().test(facts)) {
                continue;
            }
            if (rollout == Rollout.NONE) {
                rollout = rule.rollout();
            }
            String w = rule.words().apply(facts);
            if (w != null && !w.isEmpty()) {
                words.add(w);
            }
        }
        return new Verdict(rollout, words);
    }
}
