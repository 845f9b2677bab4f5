package io.gantry.kubernetes;

import static io.gantry.kubernetes.KubernetesWorkloadMapper.instant;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.nullSafe;

import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A pod as an instance: its state, the engine's short reason and the longer message, by an ordered
 * table of named rules (the first that holds decides). The reasons are the words {@code kubectl get pods}
 * shows in its STATUS column ({@code CrashLoopBackOff}, {@code Init:Error}, {@code Evicted}), so an
 * operator finds in Gantry what kubectl would have told them.
 */
final class KubernetesPodRules {
    /** Waiting reasons the kubelet gives when a container cannot start and will not without a change. */
    static final Set<String> FAILING_WAIT_REASONS = Set.of("CrashLoopBackOff", "ImagePullBackOff",
            "ErrImagePull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError",
            "RunContainerError");

    /** What a rule decides for a pod: its state, reason (empty when fine) and the details for the message. */
    record Verdict(InstanceState state, String reason, String details) {
    }

    /** One row of the table: a name for it, and the verdict when it applies (empty when it does not). */
    record Rule(String name, Function<PodFacts, Optional<Verdict>> verdict) {
    }

    private static final List<Rule> RULES = List.of(
            // the kubelet evicted it (node pressure): it will not run again; its controller has made a
            // replacement, so it is over rather than failing now
            new Rule("evicted", p -> "Evicted".equals(p.status().getReason())
                    ? Optional.of(new Verdict(InstanceState.EXITED, "Evicted", text(p.status().getMessage()))) : Optional.empty()),
            new Rule("succeeded", p -> p.phase().equals("Succeeded")
                    ? Optional.of(new Verdict(InstanceState.EXITED, "", "")) : Optional.empty()),
            new Rule("failed pod", p -> p.phase().equals("Failed")
                    ? Optional.of(failedPod(p)) : Optional.empty()),
            new Rule("unschedulable", p -> p.condition("PodScheduled")
                    .filter(c -> "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason()))
                    .map(c -> new Verdict(InstanceState.PENDING, "Unschedulable", text(c.getMessage())))),
            new Rule("init container failing", KubernetesPodRules::initContainerFailing),
            new Rule("OOMKilled", KubernetesPodRules::oomKilled),
            new Rule("container cannot start", p -> p.waiting().filter(w -> FAILING_WAIT_REASONS.contains(w.getReason()))
                    .map(w -> new Verdict(InstanceState.FAILED, w.getReason(), text(w.getMessage())))),
            // restartPolicy Always: the container exited and the kubelet has not restarted it yet
            new Rule("container terminated", p -> p.phase().equals("Running") ? p.terminated()
                    .filter(t -> t.getExitCode() != 0)
                    .map(t -> new Verdict(InstanceState.FAILED, terminatedReason(t), text(t.getMessage())))
                    : Optional.empty()),
            new Rule("running not ready", p -> p.phase().equals("Running") && !p.allReady()
                    ? Optional.of(new Verdict(InstanceState.STARTING, p.condition("Ready").map(V1PodCondition::getReason)
                    .filter(r -> r != null && !r.isEmpty()).orElse("not ready"), "not ready")) : Optional.empty()),
            new Rule("running", p -> p.phase().equals("Running")
                    ? Optional.of(new Verdict(InstanceState.RUNNING, "", "")) : Optional.empty()));

    /** Not running yet and nothing wrong: on a node it is starting, else waiting for one. */
    private static Verdict pending(PodFacts p) {
        String details = p.initProgress().or(() -> p.waiting().map(V1ContainerStateWaiting::getReason)
                .filter(r -> !"ContainerCreating".equals(r))).orElse("");
        return new Verdict(p.nodeName() == null ? InstanceState.PENDING : InstanceState.STARTING, "", details);
    }

    private KubernetesPodRules() {
    }

    /** The pod as an instance; the restart count, when any, ends the message. */
    static Instance toInstance(V1Pod pod) {
        PodFacts facts = PodFacts.of(pod);
        Verdict v = RULES.stream().map(r -> r.verdict().apply(facts)).flatMap(Optional::stream).findFirst()
                .orElseGet(() -> pending(facts));
        List<String> message = new ArrayList<>();
        Stream.of(v.reason(), v.details()).filter(s -> !s.isEmpty() && !message.contains(s)).forEach(message::add);
        if (facts.restarts() > 0) {
            message.add("restarts " + facts.restarts());
        }
        V1PodStatus st = facts.status();
        String address = null;
        if (st.getPodIP() != null) {
            Integer port = firstPort(pod.getSpec());
            address = port == null ? st.getPodIP() : st.getPodIP() + ":" + port;
        }
        Integer exitCode = v.state() == InstanceState.EXITED || v.state() == InstanceState.FAILED
                ? facts.terminated().map(V1ContainerStateTerminated::getExitCode).orElse(null) : null;
        return new Instance(pod.getMetadata().getName(), facts.nodeName(), v.state(), instant(st.getStartTime()), address,
                exitCode, String.join(", ", message), v.reason());
    }

    private static Verdict failedPod(PodFacts p) {
        Optional<V1ContainerStateTerminated> t = p.terminated();
        String reason = t.map(KubernetesPodRules::terminatedReason)
                .orElse(p.status().getReason() == null ? "Failed" : p.status().getReason());
        return new Verdict(InstanceState.FAILED, reason, text(t.map(V1ContainerStateTerminated::getMessage)
                .orElse(p.status().getMessage())));
    }

    /** kubectl's {@code Init:<reason>}: an init container that exited non-zero or waits in a failing reason. */
    private static Optional<Verdict> initContainerFailing(PodFacts p) {
        for (V1ContainerStatus cs : p.initStatuses()) {
            var state = cs.getState();
            if (state == null) {
                continue;
            }
            if (state.getTerminated() != null && state.getTerminated().getExitCode() != 0) {
                return Optional.of(new Verdict(InstanceState.FAILED, "Init:" + terminatedReason(state.getTerminated()),
                        text(state.getTerminated().getMessage())));
            }
            if (state.getWaiting() != null && FAILING_WAIT_REASONS.contains(state.getWaiting().getReason())) {
                return Optional.of(new Verdict(InstanceState.FAILED, "Init:" + state.getWaiting().getReason(),
                        text(state.getWaiting().getMessage())));
            }
        }
        return Optional.empty();
    }

    /**
     * A container the kernel killed for its memory limit, now restarting or backing off: OOMKilled says
     * why better than the CrashLoopBackOff that follows it. An old kill of a container that is ready again
     * is not news.
     */
    private static Optional<Verdict> oomKilled(PodFacts p) {
        for (V1ContainerStatus cs : p.statuses()) {
            if (Boolean.TRUE.equals(cs.getReady())) {
                continue;
            }
            Optional<V1ContainerStateTerminated> kill = Stream.of(cs.getState(), cs.getLastState()).filter(Objects::nonNull)
                    .map(s -> s.getTerminated()).filter(t -> t != null && "OOMKilled".equals(t.getReason())).findFirst();
            if (kill.isPresent()) {
                String waiting = cs.getState() == null || cs.getState().getWaiting() == null ? ""
                        : text(cs.getState().getWaiting().getReason());
                return Optional.of(new Verdict(InstanceState.FAILED, "OOMKilled",
                        String.join(", ", Stream.of(waiting, text(kill.get().getMessage())).filter(s -> !s.isEmpty()).toList())));
            }
        }
        return Optional.empty();
    }

    /** kubectl's wording for a terminated container: its reason, else the signal or the exit code. */
    private static String terminatedReason(V1ContainerStateTerminated t) {
        if (t.getReason() != null && !t.getReason().isEmpty()) {
            return t.getReason();
        }
        return t.getSignal() != null && t.getSignal() != 0 ? "Signal:" + t.getSignal() : "ExitCode:" + t.getExitCode();
    }

    private static String text(String s) {
        return s == null ? "" : s.strip();
    }

    private static Integer firstPort(V1PodSpec spec) {
        if (spec == null || spec.getContainers() == null || spec.getContainers().isEmpty()) {
            return null;
        }
        List<V1ContainerPort> ports = nullSafe(spec.getContainers().get(0).getPorts());
        return ports.isEmpty() ? null : ports.get(0).getContainerPort();
    }

    /** What the rules read of a pod, null-safe. */
    record PodFacts(V1PodStatus status, String phase, String nodeName, List<V1ContainerStatus> statuses,
                    List<V1ContainerStatus> initStatuses, int initContainers) {
        static PodFacts of(V1Pod pod) {
            V1PodStatus st = pod.getStatus() == null ? new V1PodStatus() : pod.getStatus();
            return new PodFacts(st, st.getPhase() == null ? "Pending" : st.getPhase(),
                    pod.getSpec() == null ? null : pod.getSpec().getNodeName(), nullSafe(st.getContainerStatuses()),
                    nullSafe(st.getInitContainerStatuses()),
                    pod.getSpec() == null ? 0 : nullSafe(pod.getSpec().getInitContainers()).size());
        }

        Optional<V1PodCondition> condition(String type) {
            return nullSafe(status.getConditions()).stream().filter(c -> type.equals(c.getType())).findFirst();
        }

        /** The first container waiting with a reason. */
        Optional<V1ContainerStateWaiting> waiting() {
            return statuses.stream().map(V1ContainerStatus::getState).filter(s -> s != null && s.getWaiting() != null)
                    .map(s -> s.getWaiting()).filter(w -> w.getReason() != null).findFirst();
        }

        /** The first container that has terminated. */
        Optional<V1ContainerStateTerminated> terminated() {
            return statuses.stream().map(V1ContainerStatus::getState).filter(s -> s != null && s.getTerminated() != null)
                    .map(s -> s.getTerminated()).findFirst();
        }

        boolean allReady() {
            return !statuses.isEmpty() && statuses.stream().allMatch(c -> Boolean.TRUE.equals(c.getReady()));
        }

        int restarts() {
            return statuses.stream().mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).sum();
        }

        /** kubectl's {@code Init:1/2} while init containers run, empty once they are done. */
        Optional<String> initProgress() {
            long done = initStatuses.stream().filter(c -> c.getState() != null && c.getState().getTerminated() != null
                    && c.getState().getTerminated().getExitCode() == 0).count();
            return initContainers == 0 || done >= initContainers ? Optional.empty()
                    : Optional.of("Init:" + done + "/" + initContainers);
        }
    }
}
