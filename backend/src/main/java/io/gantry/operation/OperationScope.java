package io.gantry.operation;

/**
 * What an operation's grant is checked against, for every query that reads the journal (this package's lists and
 * the search): the engine's name ({@code e.name}) and the namespace ({@code w.namespace} of a workload that still
 * exists, else the one the request named: a deploy's, a copy's).
 */
public final class OperationScope {
    /** {@code operations o} joined to what its scope is read from. */
    public static final String FROM = " FROM operations o LEFT JOIN engines e ON e.id = o.engine_id "
            + "LEFT JOIN workloads w ON w.id = o.workload_id";
    public static final String ENGINE = "e.name";
    public static final String NAMESPACE = "coalesce(w.namespace, o.request->>'namespace')";

    private OperationScope() {
    }
}
