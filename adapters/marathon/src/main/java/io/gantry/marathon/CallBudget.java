package io.gantry.marathon;

import java.time.Duration;

/**
 * The time one port method may spend, shared by every HTTP call it makes: the port bounds a method by
 * the call timeout, and a method such as {@code listWorkloads} makes several calls (apps, queue, pods,
 * Mesos agents). Per thread; a nested method (an event re-read calling {@code getWorkload}) joins the
 * budget already running.
 */
final class CallBudget implements AutoCloseable {
    private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();
    private static final CallBudget NESTED = new CallBudget(false);

    private final boolean owner;

    private CallBudget(boolean owner) {
        this.owner = owner;
    }

    /** Starts a budget of {@code timeout} on this thread, unless one is running. */
    static CallBudget start(Duration timeout) {
        if (DEADLINE.get() != null) {
            return NESTED;
        }
        DEADLINE.set(System.nanoTime() + timeout.toNanos());
        return new CallBudget(true);
    }

    /** The deadline ({@link System#nanoTime()}) of the running budget, else {@code timeout} from now. */
    static long deadline(Duration timeout) {
        Long deadline = DEADLINE.get();
        return deadline != null ? deadline : System.nanoTime() + timeout.toNanos();
    }

    @Override
    public void close() {
        if (owner) {
            DEADLINE.remove();
        }
    }
}
