package io.gantry.agent.adapter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.EngineRuntime;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceUsage;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.LogLine;
import io.gantry.spi.LogSink;
import io.gantry.spi.Node;
import io.gantry.spi.Subscription;
import io.gantry.spi.WatchListener;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigObject;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An agent engine made of several agents (endpoint {@code grpc://a:7443,grpc://b:7443}). Each agent
 * runs a share of a workload's replicas as its own container; the pool's replica count is kept in
 * the {@value #TOTAL_LABEL} label on every share. Replicas are spread over the agents whose labels
 * meet the workload's constraints; every {@value #RECONCILE_SECONDS} s the pool moves the replicas
 * of agents that stopped answering to the others. Instance ids are {@code <node>/<task>}.
 */
final class AgentPoolClient implements EngineClient {
    static final String TOTAL_LABEL = "gantry.io/pool-replicas";
    private static final long RECONCILE_SECONDS = 2;
    private static final Logger LOG = LoggerFactory.getLogger(AgentPoolClient.class);

    /** One agent of the pool with what a listing learned about it. */
    private record Member(AgentEngineClient client, String endpoint) {
    }

    /** A reachable agent and its share of one workload (null when it has none). */
    private record Share(Member member, Node node, Workload workload) {
        int replicas() {
            return workload == null ? 0 : Objects.requireNonNullElse(workload.spec().replicas(), 0);
        }
    }

    private final String engine;
    private final List<Member> members = new ArrayList<>();
    private final AgentPoolConfigs configs;
    private final ScheduledExecutorService reconciler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "agent-pool-reconcile");
        t.setDaemon(true);
        return t;
    });

    AgentPoolClient(String engine, Map<String, AgentEngineClient> clientsByEndpoint) {
        this.engine = engine;
        clientsByEndpoint.forEach((endpoint, client) -> members.add(new Member(client, endpoint)));
        this.configs = new AgentPoolConfigs(engine, members.stream()
                .map(m -> new AgentPoolConfigs.Agent(m.endpoint(), m.client().configs())).toList(), this::listWorkloads);
        reconciler.scheduleWithFixedDelay(this::reconcileAll, RECONCILE_SECONDS, RECONCILE_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public EngineInfo ping() {
        List<String> down = new ArrayList<>();
        EngineInfo first = null;
        for (Member m : members) {
            try {
                EngineInfo info = m.client().ping();
                first = first == null ? info : first;
            } catch (EngineException e) {
                down.add(m.endpoint());
            }
        }
        if (first == null) {
            throw new EngineUnavailableException("no agent of engine '" + engine + "' answers");
        }
        return down.isEmpty() ? first : EngineInfo.degraded(first.version(), "agents not answering: " + down);
    }

    /** Every runtime some agent of the pool offers; privileged when any agent says so. */
    @Override
    public List<EngineRuntime> runtimes() {
        Map<String, Boolean> all = new LinkedHashMap<>();
        EngineException last = null;
        boolean answered = false;
        for (Member m : members) {
            try {
                m.client().runtimes().forEach(r -> all.merge(r.name(), r.privileged(), Boolean::logicalOr));
                answered = true;
            } catch (EngineException e) {
                last = e;
            }
        }
        if (!answered && last != null) {
            throw last;
        }
        return all.entrySet().stream().map(e -> new EngineRuntime(e.getKey(), e.getValue())).toList();
    }

    /**
     * Privileged when any agent would run the spec privileged: replicas may land on any of them, and move there
     * when another agent stops answering. Refused only when no agent accepts the spec.
     */
    @Override
    public Optional<String> privilegedRuntime(WorkloadSpec spec) {
        EngineException refused = null;
        boolean accepted = false;
        for (Member m : members) {
            try {
                Optional<String> privileged = m.client().privilegedRuntime(spec);
                if (privileged.isPresent()) {
                    return privileged;
                }
                accepted = true;
            } catch (EngineException e) {
                refused = refused instanceof InvalidSpecException ? refused : e;
            }
        }
        if (!accepted && refused != null) {
            throw refused;
        }
        return Optional.empty();
    }

    @Override
    public List<Workload> listWorkloads() {
        Map<String, List<Share>> byId = new LinkedHashMap<>();
        for (Map.Entry<Member, Node> reachable : reachable().entrySet()) {
            for (Workload w : reachable.getKey().client().listWorkloads()) {
                byId.computeIfAbsent(w.nativeId(), k -> new ArrayList<>())
                        .add(new Share(reachable.getKey(), reachable.getValue(), w));
            }
        }
        return byId.values().stream().map(AgentPoolClient::merge).toList();
    }

    @Override
    public Optional<Workload> getWorkload(String nativeId) {
        List<Share> shares = shares(nativeId).stream().filter(s -> s.workload() != null).toList();
        return shares.isEmpty() ? Optional.empty() : Optional.of(merge(shares));
    }

    @Override
    public List<Node> listNodes() {
        List<Node> nodes = new ArrayList<>();
        for (Member m : members) {
            try {
                nodes.addAll(m.client().listNodes());
            } catch (EngineException e) {
                nodes.add(new Node(m.endpoint(), null, "DOWN", "agent", null, null, Map.of()));
            }
        }
        return nodes;
    }

    @Override
    public List<EngineEvent> events(String nativeId, int limit) {
        List<EngineEvent> all = new ArrayList<>();
        for (Share s : shares(nativeId)) {
            if (s.workload() != null) {
                all.addAll(s.member().client().events(nativeId, limit));
            }
        }
        all.sort(Comparator.comparing(EngineEvent::time, Comparator.nullsLast(Comparator.reverseOrder())));
        return all.subList(0, Math.min(limit, all.size()));
    }

    @Override
    public Workload deploy(WorkloadDefinition definition) {
        String nativeId = AgentWorkloadMapper.nativeId(definition.namespace().isEmpty() ? "default"
                : definition.namespace(), definition.name());
        if (getWorkload(nativeId).isPresent()) {
            throw new io.gantry.spi.EngineConflictException("workload '" + nativeId + "' already exists");
        }
        int total = Objects.requireNonNullElse(definition.spec().replicas(), 1);
        List<Share> eligible = eligible(shares(nativeId), definition.spec().constraints());
        List<Integer> counts = Placement.spread(total, eligible.stream().map(s -> 0).toList());
        Map<String, String> labels = new HashMap<>(definition.labels());
        labels.put(TOTAL_LABEL, Integer.toString(total));
        List<Share> deployed = new ArrayList<>();
        try {
            for (int i = 0; i < eligible.size(); i++) {
                eligible.get(i).member().client().deploy(new WorkloadDefinition(definition.namespace(),
                        definition.name(), definition.kind(), labels, definition.spec().withReplicas(counts.get(i))));
                deployed.add(eligible.get(i));
            }
        } catch (EngineException e) {
            deployed.forEach(s -> deleteQuietly(s.member(), nativeId));
            throw e;
        }
        return getWorkload(nativeId).orElseThrow(() -> new WorkloadNotFoundException(nativeId));
    }

    @Override
    public void update(String nativeId, WorkloadSpec spec) {
        List<Share> shares = existing(nativeId);
        for (Share s : shares) {
            s.member().client().update(nativeId, spec.withReplicas(s.replicas()));
        }
        scale(nativeId, Objects.requireNonNullElse(spec.replicas(), total(shares)));
    }

    @Override
    public void scale(String nativeId, int replicas) {
        if (replicas < 0) {
            throw InvalidSpecException.of("replicas", "must not be negative");
        }
        List<Share> shares = existing(nativeId);
        for (Share s : shares) {
            if (s.workload() != null) {
                s.member().client().label(nativeId, TOTAL_LABEL, Integer.toString(replicas));
            }
        }
        redistribute(nativeId, replicas, shares);
    }

    @Override
    public void restart(String nativeId) {
        for (Share s : existing(nativeId)) {
            if (s.workload() != null) {
                s.member().client().restart(nativeId);
            }
        }
    }

    @Override
    public List<ConfigObject> listConfigs() {
        return configs.list();
    }

    @Override
    public ConfigObject createConfig(ConfigDefinition definition) {
        return configs.create(definition);
    }

    @Override
    public ConfigObject rotateConfig(String nativeId, Map<String, String> data) {
        return configs.rotate(nativeId, data);
    }

    @Override
    public Map<String, String> readConfig(String nativeId) {
        return configs.read(nativeId);
    }

    @Override
    public void deleteConfig(String nativeId) {
        configs.delete(nativeId);
    }

    /** On every agent holding a share; each keeps its share's replica count label. */
    @Override
    public void relabel(String nativeId, Map<String, String> labels) {
        for (Share s : existing(nativeId)) {
            if (s.workload() != null) {
                s.member().client().relabel(nativeId, labels);
            }
        }
    }

    @Override
    public void delete(String nativeId) {
        for (Share s : existing(nativeId)) {
            if (s.workload() != null) {
                s.member().client().delete(nativeId);
            }
        }
    }

    @Override
    public List<LogLine> logs(String nativeId, int tail) {
        List<LogLine> lines = new ArrayList<>();
        for (Share s : existing(nativeId)) {
            if (s.workload() != null) {
                s.member().client().logs(nativeId, tail).forEach(l -> lines.add(
                        new LogLine(l.time(), s.node().name() + "/" + l.instance(), l.stream(), l.text())));
            }
        }
        return lines;
    }

    /** Every agent's share, with instance ids named as {@link #merge} names them. */
    @Override
    public List<InstanceUsage> usage(String nativeId) {
        List<InstanceUsage> usage = new ArrayList<>();
        for (Share s : shares(nativeId)) {
            if (s.workload() != null) {
                s.member().client().usage(nativeId).forEach(u -> usage.add(new InstanceUsage(
                        s.node().name() + "/" + u.instanceId(), u.cpuSeconds(), u.memoryBytes(), u.at())));
            }
        }
        return usage;
    }

    /** On the agent the instance id names ({@code <node>/<task>}, as {@link #merge} names instances). */
    @Override
    public ExecSession exec(String nativeId, String instanceId, ExecRequest request, ExecListener listener) {
        int slash = instanceId.indexOf('/');
        for (Map.Entry<Member, Node> r : slash < 1 ? Map.<Member, Node>of().entrySet() : reachable().entrySet()) {
            if (r.getValue().name().equals(instanceId.substring(0, slash))) {
                return r.getKey().client().exec(nativeId, instanceId.substring(slash + 1), request, listener);
            }
        }
        throw new WorkloadNotFoundException(nativeId);
    }

    @Override
    public Subscription followLogs(String nativeId, int tail, LogSink sink) {
        List<Share> shares = existing(nativeId).stream().filter(s -> s.workload() != null).toList();
        AtomicInteger open = new AtomicInteger(shares.size());
        List<Subscription> subscriptions = new ArrayList<>();
        for (Share s : shares) {
            subscriptions.add(s.member().client().followLogs(nativeId, tail, new LogSink() {
                @Override
                public void onLine(LogLine l) {
                    sink.onLine(new LogLine(l.time(), s.node().name() + "/" + l.instance(), l.stream(), l.text()));
                }

                @Override
                public void onEnd(Throwable failure) {
                    if (open.decrementAndGet() == 0) {
                        sink.onEnd(failure);
                    }
                }
            }));
        }
        return () -> subscriptions.forEach(Subscription::close);
    }

    @Override
    public Subscription watch(WatchListener listener) {
        WatchListener merging = new WatchListener() {
            @Override
            public void onChange(EngineChange change) {
                String nativeId = change instanceof EngineChange.WorkloadChanged c ? c.workload().nativeId()
                        : change instanceof EngineChange.WorkloadRemoved r ? r.nativeId() : null;
                if (nativeId == null) {
                    listener.onChange(change);
                    return;
                }
                try {
                    listener.onChange(getWorkload(nativeId).<EngineChange>map(EngineChange.WorkloadChanged::new)
                            .orElseGet(() -> new EngineChange.WorkloadRemoved(nativeId)));
                } catch (EngineException e) {
                    listener.onChange(new EngineChange.ResyncRequired("pool read failed: " + e.getMessage()));
                }
            }

            @Override
            public void onFailure(Throwable cause) {
                listener.onFailure(cause);
            }
        };
        List<Subscription> subscriptions = members.stream().map(m -> m.client().watch(merging)).toList();
        return () -> subscriptions.forEach(Subscription::close);
    }

    @Override
    public void close() {
        reconciler.shutdownNow();
        members.forEach(m -> m.client().close());
    }

    /** Gives replicas of agents that stopped answering to the others, and takes back extra ones. */
    private void reconcileAll() {
        try {
            Map<Member, Node> reachable = reachable();
            Map<String, List<Share>> byId = new LinkedHashMap<>();
            for (Map.Entry<Member, Node> r : reachable.entrySet()) {
                for (Workload w : r.getKey().client().listWorkloads()) {
                    byId.computeIfAbsent(w.nativeId(), k -> new ArrayList<>()).add(new Share(r.getKey(), r.getValue(), w));
                }
            }
            for (Map.Entry<String, List<Share>> e : byId.entrySet()) {
                int total = total(e.getValue());
                int placed = e.getValue().stream().mapToInt(Share::replicas).sum();
                if (placed != total) {
                    LOG.info("pool {}: {} has {} of {} replicas on answering agents;"
                            + " placing them again", engine, e.getKey(), placed, total);
                    redistribute(e.getKey(), total, shares(e.getKey()));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("pool {}: reconcile failed: {}", engine, e.getMessage());
        }
    }

    private void redistribute(String nativeId, int total, List<Share> shares) {
        Workload template = shares.stream().map(Share::workload).filter(Objects::nonNull).findFirst()
                .orElseThrow(() -> new WorkloadNotFoundException(nativeId));
        List<Share> eligible = eligible(shares, template.spec().constraints());
        List<Integer> counts = Placement.spread(total, eligible.stream().map(Share::replicas).toList());
        for (int i = 0; i < eligible.size(); i++) {
            Share s = eligible.get(i);
            if (s.workload() == null && counts.get(i) > 0) {
                Map<String, String> labels = new HashMap<>(template.labels());
                labels.put(TOTAL_LABEL, Integer.toString(total));
                s.member().client().deploy(new WorkloadDefinition(template.namespace(), template.name(),
                        template.kind(), labels, template.spec().withReplicas(counts.get(i))));
            } else if (s.workload() != null && counts.get(i) != s.replicas()) {
                s.member().client().scale(nativeId, counts.get(i));
            }
        }
    }

    /** Every answering agent with its share of the workload (null when it has none). */
    private List<Share> shares(String nativeId) {
        List<Share> shares = new ArrayList<>();
        for (Map.Entry<Member, Node> r : reachable().entrySet()) {
            shares.add(new Share(r.getKey(), r.getValue(), r.getKey().client().getWorkload(nativeId).orElse(null)));
        }
        return shares;
    }

    private List<Share> existing(String nativeId) {
        List<Share> shares = shares(nativeId);
        if (shares.stream().allMatch(s -> s.workload() == null)) {
            throw new WorkloadNotFoundException(nativeId);
        }
        return shares;
    }

    private static List<Share> eligible(List<Share> shares, List<String> constraints) {
        List<Share> eligible = shares.stream().filter(s -> Placement.eligible(s.node().labels(), constraints)).toList();
        if (eligible.isEmpty()) {
            throw InvalidSpecException.of("spec.constraints", "no answering agent meets " + constraints);
        }
        return eligible;
    }

    /** Answering agents with their node; the others are skipped. */
    private Map<Member, Node> reachable() {
        Map<Member, Node> reachable = new LinkedHashMap<>();
        for (Member m : members) {
            try {
                reachable.put(m, m.client().listNodes().get(0));
            } catch (EngineException e) {
                LOG.debug("agent {} does not answer: {}", m.endpoint(), e.getMessage());
            }
        }
        if (reachable.isEmpty()) {
            throw new EngineUnavailableException("no agent of engine '" + engine + "' answers");
        }
        return reachable;
    }

    private static int total(List<Share> shares) {
        for (Share s : shares) {
            if (s.workload() != null && s.workload().labels().containsKey(TOTAL_LABEL)) {
                return Integer.parseInt(s.workload().labels().get(TOTAL_LABEL));
            }
        }
        return shares.stream().mapToInt(Share::replicas).sum();
    }

    /** One workload from its shares: replicas and instances summed, the phase and message derived again over all. */
    private static Workload merge(List<Share> shares) {
        Workload base = shares.get(0).workload();
        int total = total(shares);
        List<Instance> instances = new ArrayList<>();
        for (Share s : shares) {
            for (Instance i : s.workload().instances()) {
                instances.add(new Instance(s.node().name() + "/" + i.id(), i.node(), i.state(), i.startedAt(),
                        i.address(), i.exitCode(), i.message(), i.reason()));
            }
        }
        int healthy = shares.stream().mapToInt(s -> s.workload().status().healthy()).sum();
        Instant since = shares.stream().map(s -> s.workload().status().since()).filter(Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(null);
        Map<String, String> labels = new HashMap<>(base.labels());
        labels.remove(TOTAL_LABEL);
        return new Workload(base.nativeId(), base.namespace(), base.name(), base.kind(), labels,
                base.spec().withReplicas(total), AgentStatusRules.workload(total, base.kind() == WorkloadKind.JOB,
                base.spec().healthCheck() != null, healthy, instances, since),
                instances, base.createdAt(), base.nativeObject());
    }

    private static void deleteQuietly(Member member, String nativeId) {
        try {
            member.client().delete(nativeId);
        } catch (EngineException ignored) {
            // best effort: the deploy failure is what the caller must see
        }
    }
}
