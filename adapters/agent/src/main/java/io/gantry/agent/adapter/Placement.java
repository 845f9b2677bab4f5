package io.gantry.agent.adapter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the replicas of a workload go in a pool of agents: only agents whose labels satisfy every
 * constraint, spread so that the counts differ by at most one, moving as few replicas as possible.
 */
final class Placement {
    private Placement() {
    }

    /** Whether an agent with {@code labels} may run a workload with {@code constraints} ({@code node.labels.K==V} or {@code !=}). */
    static boolean eligible(Map<String, String> labels, List<String> constraints) {
        for (String constraint : constraints) {
            boolean negated = constraint.contains("!=");
            String[] parts = constraint.split(negated ? "!=" : "==", 2);
            if (parts.length != 2) {
                continue;
            }
            String key = parts[0].trim().replaceFirst("^node\\.labels\\.", "");
            boolean equal = parts[1].trim().equals(labels.get(key));
            if (equal == negated) {
                return false;
            }
        }
        return true;
    }

    /**
     * New replica counts, one per agent, summing to {@code total}: replicas are added to the agents
     * running the fewest and taken from those running the most.
     *
     * @param current replicas each eligible agent runs now
     */
    static List<Integer> spread(int total, List<Integer> current) {
        List<Integer> counts = new ArrayList<>(current);
        if (counts.isEmpty()) {
            return counts;
        }
        int sum = counts.stream().mapToInt(Integer::intValue).sum();
        while (sum < total) {
            int least = 0;
            for (int i = 1; i < counts.size(); i++) {
                if (counts.get(i) < counts.get(least)) {
                    least = i;
                }
            }
            counts.set(least, counts.get(least) + 1);
            sum++;
        }
        while (sum > total) {
            int most = 0;
            for (int i = 1; i < counts.size(); i++) {
                if (counts.get(i) > counts.get(most)) {
                    most = i;
                }
            }
            counts.set(most, counts.get(most) - 1);
            sum--;
        }
        return counts;
    }
}
