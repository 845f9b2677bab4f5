package io.gantry.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One row of an engine's status table (a workload kind's, in the engine's own terms): when {@code holds}, the engine's verdict on the rollout and its words
 * for the message. A table is read in order: every rule that holds adds its words, and the first that
 * holds with a verdict other than {@link Rollout#NONE} decides the rollout (so "rollout paused" wins over
 * the progress a paused rollout still reports, and both are said).
 *
 * @param <F> what the rules of one kind read (its facts, null-safe)
 */
public record StatusRule<F>(String name, Predicate<F> holds, Rollout rollout, Function<F, String> words) {

    /** A rule that only adds words to the message, empty when it has nothing to say; it gives no verdict. */
    public static <F> StatusRule<F> saying(String name, Function<F, String> words) {
        return new StatusRule<>(name, f -> true, Rollout.NONE, words);
    }

    /** The rollout verdict and the words of a table for these facts. */
    public record Verdict(Rollout rollout, List<String> words) {
    }

    public static <F> Verdict judge(List<StatusRule<F>> table, F facts) {
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
            if (w != null && !w.isBlank()) {
                words.add(w);
            }
        }
        return new Verdict(rollout, words);
    }
}
