package io.gantry.spi;

import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A connection to one registered engine. Thread-safe. Every method honours
 * {@link EngineConnection#callTimeout()} and throws {@link EngineUnavailableException} when the
 * engine does not answer in time; other failures come as the other {@link EngineException}s.
 * Workloads are addressed by their {@link Workload#nativeId()}.
 */
public interface EngineClient extends AutoCloseable {

    /** What this engine can do, as configured (e.g. Marathon has LOGS only with a Mesos URL). */
    Set<Capability> capabilities();

    /** Checks the engine answers and is usable; a usable-but-limited engine gives a degraded info. */
    EngineInfo ping();

    /** Every workload the engine runs (within its configured namespaces), with instances. */
    List<Workload> listWorkloads();

    /**
     * Every workload, as {@link #listWorkloads()}, handed to {@code sink} in batches as the engine's answer is read:
     * adapters of engines with big answers read them as a stream (a streaming JSON parser, paged lists with
     * {@code limit}/{@code continue}) and map and hand over each batch as it arrives, without holding the whole
     * answer. The call timeout applies to silence, not to the whole listing: while bytes keep arriving the adapter
     * keeps reading, and it hands over a batch at least every half call timeout while it makes progress, so the
     * caller can tell a big engine from a hung one. The default lists at once and hands over one batch.
     *
     * @throws EngineUnavailableException when the engine stops answering (no bytes for the call timeout)
     */
    default void listWorkloads(WorkloadSink sink) {
        sink.accept(listWorkloads());
    }

    /** One workload with its instances, or empty when the engine has none by that id. */
    Optional<Workload> getWorkload(String nativeId);

    /** Nodes the engine schedules on; empty when the engine does not expose them. */
    List<Node> listNodes();

    /** Recent events of one workload, newest first, at most {@code limit}. */
    List<EngineEvent> events(String nativeId, int limit);

    /**
     * What each running instance of a workload uses now, as measured by the engine; only engines with
     * {@link Capability#USAGE} answer. An instance that is not running is left out.
     *
     * @return one entry per running instance; empty when none runs or the engine has no such workload
     * @throws UnsupportedCapabilityException when the engine does not measure usage
     * @throws EngineUnavailableException     when the engine does not answer in time
     */
    default List<InstanceUsage> usage(String nativeId) {
        throw new UnsupportedCapabilityException(Capability.USAGE, "this engine does not measure usage");
    }

    /**
     * Creates a workload. Returns as soon as the engine accepted it (it may still be starting).
     *
     * @return the workload as the engine reports it just after creation
     * @throws EngineConflictException when the name is taken
     * @throws InvalidSpecException    when the engine cannot run this spec
     */
    Workload deploy(WorkloadDefinition definition);

    /**
     * Checks a deploy before anything is created, so that a request the engine would refuse is answered at
     * once, listing every bad field, instead of by a failed operation later. May ask the engine what only the
     * engine knows (within the call timeout), e.g. whether a published port is taken or the namespace exists;
     * what only the create itself can tell still fails {@link #deploy}. The default accepts everything and
     * leaves it to {@link #deploy}.
     *
     * @throws InvalidSpecException        listing every field the engine would refuse
     * @throws EngineUnavailableException when the engine had to be asked and did not answer
     */
    default void checkDeploy(WorkloadDefinition definition) {
    }

    /**
     * Like {@link #checkDeploy}, for a new spec of an existing workload.
     *
     * @throws InvalidSpecException       listing every field the engine would refuse
     * @throws WorkloadNotFoundException when the engine has no such workload
     */
    default void checkUpdate(String nativeId, WorkloadSpec spec) {
    }

    /**
     * Like {@link #checkDeploy}, for a new replica count (e.g. a workload that runs one instance per node takes none).
     *
     * @throws InvalidSpecException       naming {@code replicas} when the workload cannot take this count
     * @throws WorkloadNotFoundException when the engine has no such workload
     */
    default void checkScale(String nativeId, int replicas) {
    }

    /**
     * The runtimes this engine offers for {@link WorkloadSpec#runtime()}, as last learned from the engine (it may be
     * asked once, within the call timeout, when nothing was learned yet). Empty for engines without a choice of
     * runtime.
     *
     * @throws EngineUnavailableException when the engine had to be asked and did not answer
     */
    default List<EngineRuntime> runtimes() {
        return List.of();
    }

    /**
     * The {@link EngineRuntime#privileged() privileged} runtime {@code spec} would run with here, its runtime settled
     * as the engine settles a spec that names none (the agent picks {@code runc} for an imported image, else
     * {@code raw}), so that the server can keep it to administrators. May ask the engine, within the call timeout.
     *
     * @return the runtime's name, or empty when the workload would run unprivileged (always, for engines without
     * privileged runtimes)
     * @throws InvalidSpecException       naming {@code spec.runtime} when the engine does not offer the runtime
     *                                    the spec would run with (e.g. the agent's raw runtime is off)
     * @throws EngineUnavailableException when the engine had to be asked and did not answer
     */
    default Optional<String> privilegedRuntime(WorkloadSpec spec) {
        return Optional.empty();
    }

    /** Replaces the spec (rolling where the engine supports it). A concurrent change gives {@link EngineConflictException}. */
    void update(String nativeId, WorkloadSpec spec);

    /**
     * The revisions the engine itself keeps of this workload, newest first ({@link EngineRevision}); empty where
     * the engine keeps none (the agent) or the workload is gone. Read from what the adapter already holds where it
     * can (a cache, the service object); at most a call or two otherwise.
     */
    default List<EngineRevision> revisions(String nativeId) {
        return List.of();
    }

    /**
     * Puts the workload back to {@code spec}, a spec it had. {@code engineRevision} is the engine's id of that
     * revision ({@link EngineRevision#id}) when Gantry knows it, else {@code null}. Where the engine has a rollback
     * of its own and still holds that revision, the adapter uses it (Kubernetes: the ReplicaSet's template;
     * Swarm: {@code rollback} to {@code PreviousSpec}; Marathon: PUT the version), so that the engine's history
     * says rollback too; otherwise this is {@link #update} with {@code spec}.
     */
    default void rollback(String nativeId, WorkloadSpec spec, String engineRevision) {
        update(nativeId, spec);
    }

    void scale(String nativeId, int replicas);

    /**
     * Starts {@code request.command()} in one running instance of a workload, as {@code kubectl exec} or
     * {@code docker exec} would, and returns once the engine accepted it; output then reaches {@code listener} on
     * the adapter's threads, in order, until exactly one of {@link ExecListener#onExit} or
     * {@link ExecListener#onFailure} ends it. With {@link ExecRequest#tty()} the command runs on a terminal of
     * {@code cols x rows} whose output (stdout and stderr merged) arrives as stdout.
     *
     * @param instanceId the instance's {@link Instance#id()}
     * @throws UnsupportedCapabilityException when the engine (or this engine's configuration) cannot exec
     * @throws WorkloadNotFoundException      when there is no such workload or no running instance by that id
     * @throws InvalidSpecException           naming {@code command} when the command cannot start there
     * @throws EngineUnavailableException     when the engine does not answer in time
     */
    default ExecSession exec(String nativeId, String instanceId, ExecRequest request, ExecListener listener) {
        throw new UnsupportedCapabilityException(Capability.EXEC, "this engine cannot run commands in its instances");
    }

    /**
     * Replaces the workload's labels with {@code labels} (Kubernetes: the object's labels and its pod template's
     * where the selector allows; Swarm: service labels; Marathon: app labels; agent: the workload's labels), without
     * touching the spec. Labels the engine keeps for itself (Gantry's own, the selector's) are kept by the adapter.
     *
     * @throws UnsupportedCapabilityException when the engine cannot ({@link Capability#LABEL})
     * @throws InvalidSpecException           naming {@code labels} when the engine refuses a key or value
     * @throws WorkloadNotFoundException      when the engine has no such workload
     */
    default void relabel(String nativeId, Map<String, String> labels) {
        throw new UnsupportedCapabilityException(Capability.LABEL, "this engine cannot change a workload's labels");
    }

    /**
     * The secrets and configs the engine keeps (within its configured namespaces), metadata only. Answers objects
     * of the kinds the engine offers ({@link Capability#SECRETS}, {@link Capability#CONFIGS}); Kubernetes from its
     * informer's cache.
     *
     * @throws UnsupportedCapabilityException when the engine keeps neither
     */
    default List<ConfigObject> listConfigs() {
        throw new UnsupportedCapabilityException(Capability.SECRETS, "this engine keeps no secrets or configs");
    }

    /**
     * Creates a secret or config object.
     *
     * @return the object as the engine keeps it, without values
     * @throws EngineConflictException        when one of that kind and name exists in the namespace
     * @throws InvalidSpecException           naming {@code name} or {@code data.<key>} when the engine refuses it
     * @throws UnsupportedCapabilityException when the engine does not keep objects of that kind
     */
    default ConfigObject createConfig(ConfigDefinition definition) {
        throw unsupportedConfigs(definition.kind());
    }

    /**
     * Replaces an object's data (rotation) and makes the workloads that use it take the new data: where the engine
     * updates objects in place and workloads read them live (Kubernetes volumes) nothing more is needed; where it
     * does not (Swarm secrets are immutable; env read at start everywhere), the adapter creates the new version and
     * updates or restarts the workloads that reference it, as an operator would by hand.
     *
     * @return the object after rotation, its {@link ConfigObject#version()} changed
     * @throws WorkloadNotFoundException when there is no such object (its message names the object)
     */
    default ConfigObject rotateConfig(String nativeId, Map<String, String> data) {
        throw unsupportedConfigs(null);
    }

    /**
     * The values of a {@link ConfigKind#CONFIG} object. Never answers a secret's values.
     *
     * @throws UnsupportedCapabilityException when the object is a secret (reveal is not offered) or the engine
     *                                        keeps no configs
     * @throws WorkloadNotFoundException      when there is no such object
     */
    default Map<String, String> readConfig(String nativeId) {
        throw unsupportedConfigs(ConfigKind.CONFIG);
    }

    /**
     * Deletes an object (every version of it, where the engine keeps versions apart).
     *
     * @throws EngineConflictException   when the engine refuses because a workload still uses it
     * @throws WorkloadNotFoundException when there is no such object
     */
    default void deleteConfig(String nativeId) {
        throw unsupportedConfigs(null);
    }

    private static UnsupportedCapabilityException unsupportedConfigs(ConfigKind kind) {
        Capability capability = kind == ConfigKind.CONFIG ? Capability.CONFIGS : Capability.SECRETS;
        return new UnsupportedCapabilityException(capability, "this engine keeps no "
                + (kind == ConfigKind.CONFIG ? "configs" : "secrets"));
    }

    /** Rolling restart of every instance. */
    void restart(String nativeId);

    void delete(String nativeId);

    /** The last {@code tail} lines of every instance, merged by time where known. */
    List<LogLine> logs(String nativeId, int tail);

    /** Streams the last {@code tail} lines, then new ones, until the subscription is closed. */
    Subscription followLogs(String nativeId, int tail, LogSink sink);

    /**
     * Starts the engine's change stream. The first delivery may be {@link EngineChange.ResyncRequired}.
     * Adapters reconnect internally where they can and send {@code ResyncRequired} after a gap; they
     * call {@link WatchListener#onFailure} only when they give up.
     *
     * <p>The caller subscribes first and then lists ({@link #listWorkloads}), as an informer does, so a
     * change made after this returns must be delivered: return once the stream is established, or, when
     * that cannot be awaited within the call timeout, send {@code ResyncRequired} once it is.
     */
    Subscription watch(WatchListener listener);

    /** Releases connections and threads. Idempotent. */
    @Override
    void close();
}
