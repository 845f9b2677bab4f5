package io.gantry.spi;

import java.util.List;
import java.util.Objects;

/**
 * The part of a workload's message that speaks for its instances, worded the same on every engine:
 * the first instance's reason and how many instances share it, e.g. {@code CrashLoopBackOff on 2 of 3
 * instances}.
 */
public final class InstanceReasons {
    private InstanceReasons() {
    }

    /** The first reason among {@code instances} (in their order) with its count, or empty when none has one. */
    public static String summary(List<Instance> instances) {
        String first = instances.stream().map(Instance::reason).filter(r -> !r.isEmpty()).findFirst().orElse("");
        if (first.isEmpty()) {
            return "";
        }
        long sharing = instances.stream().filter(i -> Objects.equals(i.reason(), first)).count();
        return first + " on " + sharing + " of " + instances.size() + (instances.size() == 1 ? " instance" : " instances");
    }
}
