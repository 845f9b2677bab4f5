package io.gantry.kubernetes;

import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.Pair;
import io.kubernetes.client.openapi.models.V1ControllerRevisionList;
import io.kubernetes.client.openapi.models.V1DeleteOptions;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NodeList;
import io.kubernetes.client.openapi.models.VersionInfo;
import io.gantry.spi.exec.ExecRequest;
import java.io.IOException;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * The REST calls Gantry makes, built generically on client-java's {@link ApiClient} so that one
 * method serves every resource type. {@code calls} is bounded by the engine's call timeout;
 * {@code streams} (watches, followed logs) may stay open longer.
 */
final class KubernetesApi {
    private static final String[] AUTH = {"BearerToken"};
    private static final String MERGE_PATCH = "application/merge-patch+json";
    private static final int PAGE = 500;
    /**
     * An idle shell sends nothing for minutes, and OkHttp clears the read timeout of an upgraded connection: pings are
     * what notice an API server that went away under an open exec.
     */
    private static final Duration EXEC_PING = Duration.ofSeconds(30);

    private final ApiClient calls;
    private final ApiClient streams;
    private final OkHttpClient execs;

    KubernetesApi(ApiClient calls, ApiClient streams) {
        this.calls = calls;
        this.streams = streams;
        this.execs = streams.getHttpClient().newBuilder().pingInterval(EXEC_PING).build();
    }

    /**
     * A client for {@link io.kubernetes.client.informer.SharedInformerFactory}, which insists on one
     * without a read timeout for the list and watch calls it would build itself. Gantry's informers make
     * theirs through this class instead, whose stream client keeps a read timeout a little longer than
     * the longest watch, so a connection that died silently still ends. Shares the stream client's
     * connections and threads.
     */
    ApiClient informerFactoryClient() {
        return new ApiClient(streams.getHttpClient().newBuilder().readTimeout(Duration.ZERO).build());
    }

    /** Stops OkHttp's threads and pooled connections of both clients. */
    void shutdown() {
        for (ApiClient client : List.of(calls, streams)) {
            client.getHttpClient().dispatcher().cancelAll();
            client.getHttpClient().dispatcher().executorService().shutdown();
            client.getHttpClient().connectionPool().evictAll();
        }
    }

    VersionInfo version() throws ApiException {
        return execute(calls, call(calls, "GET", "/version", List.of(), null, null), VersionInfo.class);
    }

    /** One page of a list, all namespaces when {@code namespace} is null; {@code limit} null for all. */
    KubernetesListObject list(ResourceType type, String namespace, Integer limit) throws ApiException {
        return page(type, namespace, limit, null, null);
    }

    /**
     * Every object matching an equality label selector (all when null), read in pages of
     * {@value #PAGE} as kubectl and client-go do, so a big cluster never answers one huge list.
     * The pages form one consistent snapshot; its resourceVersion is the first page's.
     */
    KubernetesListObject listAll(ResourceType type, String namespace, String labelSelector) throws ApiException {
        KubernetesListObject first = page(type, namespace, PAGE, labelSelector, null);
        @SuppressWarnings("unchecked")
        List<KubernetesObject> items = (List<KubernetesObject>) first.getItems();
        String next = first.getMetadata() == null ? null : first.getMetadata().getContinue();
        while (next != null && !next.isEmpty()) {
            KubernetesListObject more;
            try {
                more = page(type, namespace, PAGE, labelSelector, next);
            } catch (ApiException e) {
                if (e.getCode() != 410) {
                    throw e;
                }
                // the continue token outlived etcd's compaction window: read the rest in one go
                return page(type, namespace, null, labelSelector, null);
            }
            items.addAll(more.getItems());
            next = more.getMetadata() == null ? null : more.getMetadata().getContinue();
        }
        return first;
    }

    /** One page of a list: at most {@code limit} (all when null) from {@code continueToken} (the start when null). */
    KubernetesListObject page(ResourceType type, String namespace, Integer limit, String labelSelector,
                              String continueToken) throws ApiException {
        List<Pair> query = new ArrayList<>();
        if (labelSelector != null) {
            query.add(new Pair("labelSelector", labelSelector));
        }
        if (limit != null) {
            query.add(new Pair("limit", limit.toString()));
        }
        if (continueToken != null) {
            query.add(new Pair("continue", continueToken));
        }
        KubernetesListObject list = execute(calls, call(calls, "GET", collection(type, namespace), query, null, null),
                type.listType());
        if (list.getItems() == null) {
            throw new ApiException(500, "list of " + type.rbacName() + " without items");
        }
        return list;
    }

    /**
     * The ControllerRevisions (apps/v1) matching an equality label selector in a namespace: the history of
     * StatefulSets and DaemonSets. Not a {@link ResourceType}: nothing watches them, they are read only when a
     * workload's history is asked for, in one call.
     */
    V1ControllerRevisionList controllerRevisions(String namespace, String labelSelector) throws ApiException {
        List<Pair> query = labelSelector == null ? List.of() : List.of(new Pair("labelSelector", labelSelector));
        String path = "/apis/apps/v1/namespaces/" + calls.escapeString(namespace) + "/controllerrevisions";
        V1ControllerRevisionList list = execute(calls, call(calls, "GET", path, query, null, null),
                V1ControllerRevisionList.class);
        if (list == null || list.getItems() == null) {
            throw new ApiException(500, "list of controllerrevisions.apps without items");
        }
        return list;
    }

    /** A watch from {@code resourceVersion} (from now when null); the server ends it after {@code timeoutSeconds}. */
    KubernetesWatch watch(ResourceType type, String namespace, String resourceVersion, int timeoutSeconds)
            throws ApiException {
        List<Pair> query = new ArrayList<>();
        query.add(new Pair("watch", "true"));
        query.add(new Pair("allowWatchBookmarks", "true"));
        query.add(new Pair("timeoutSeconds", Integer.toString(timeoutSeconds)));
        if (resourceVersion != null && !resourceVersion.isEmpty()) {
            query.add(new Pair("resourceVersion", resourceVersion));
        }
        return KubernetesWatch.open(streams, call(streams, "GET", collection(type, namespace), query, null, null),
                type.itemType());
    }

    <T extends KubernetesObject> T get(ResourceType type, String namespace, String name) throws ApiException {
        @SuppressWarnings("unchecked")
        T object = (T) execute(calls, call(calls, "GET", item(type, namespace, name), List.of(), null, null),
                type.itemType());
        return object;
    }

    <T extends KubernetesObject> T create(ResourceType type, String namespace, T object) throws ApiException {
        @SuppressWarnings("unchecked")
        T created = (T) execute(calls, call(calls, "POST", collection(type, namespace), List.of(), object,
                "application/json"), type.itemType());
        return created;
    }

    /** A JSON merge patch (RFC 7386). Used for scale too: the /scale subresource is not served everywhere. */
    <T extends KubernetesObject> T mergePatch(ResourceType type, String namespace, String name, String patch)
            throws ApiException {
        @SuppressWarnings("unchecked")
        T patched = (T) execute(calls, call(calls, "PATCH", item(type, namespace, name), List.of(), new V1Patch(patch),
                MERGE_PATCH), type.itemType());
        return patched;
    }

    /** Deletes; the answer (the object or a Status, depending on the server) is not read. */
    void delete(ResourceType type, String namespace, String name, String propagationPolicy) throws ApiException {
        V1DeleteOptions options = new V1DeleteOptions().apiVersion("v1").kind("DeleteOptions")
                .propagationPolicy(propagationPolicy);
        execute(calls, call(calls, "DELETE", item(type, namespace, name), List.of(), options, "application/json"), null);
    }

    V1Namespace namespace(String name) throws ApiException {
        return execute(calls, call(calls, "GET", "/api/v1/namespaces/" + calls.escapeString(name), List.of(), null, null),
                V1Namespace.class);
    }

    /** Nodes, at most {@code limit} (all when null). */
    V1NodeList nodes(Integer limit) throws ApiException {
        List<Pair> query = limit == null ? List.of() : List.of(new Pair("limit", limit.toString()));
        return execute(calls, call(calls, "GET", "/api/v1/nodes", query, null, null), V1NodeList.class);
    }

    /** A pod's log with RFC 3339 timestamps on every line. */
    String podLog(String namespace, String pod, String container, int tail) throws ApiException {
        return execute(calls, call(calls, "GET", logPath(namespace, pod), logQuery(container, tail, false), null, null),
                String.class);
    }

    Call followPodLog(String namespace, String pod, String container, int tail) throws ApiException {
        return call(streams, "GET", logPath(namespace, pod), logQuery(container, tail, true), null, null);
    }

    /**
     * Opens {@code pods/exec} as a WebSocket offering the channel protocols {@link PodExecSession} speaks, v5 first
     * ({@link ExecChannels}); stdin always open, stderr apart unless on a terminal. Built by client-java like every
     * other call (URL, credentials), on the stream client's connections.
     */
    WebSocket exec(ExecTarget target, ExecRequest request, WebSocketListener listener) throws ApiException {
        List<Pair> query = new ArrayList<>();
        request.command().forEach(arg -> query.add(new Pair("command", arg)));
        query.add(new Pair("container", target.container()));
        query.add(new Pair("stdin", "true"));
        query.add(new Pair("stdout", "true"));
        query.add(new Pair("stderr", Boolean.toString(!request.tty())));
        query.add(new Pair("tty", Boolean.toString(request.tty())));
        Request upgrade = call(streams, "GET", podPath(target.namespace(), target.pod()) + "/exec", query, null, null)
                .request().newBuilder()
                .header("Sec-WebSocket-Protocol", ExecChannels.V5 + "," + ExecChannels.V4)
                .build();
        return execs.newWebSocket(upgrade, listener);
    }

    private static List<Pair> logQuery(String container, int tail, boolean follow) {
        List<Pair> query = new ArrayList<>();
        query.add(new Pair("timestamps", "true"));
        query.add(new Pair("tailLines", Integer.toString(tail)));
        if (container != null) {
            query.add(new Pair("container", container));
        }
        if (follow) {
            query.add(new Pair("follow", "true"));
        }
        return query;
    }

    private String logPath(String namespace, String pod) {
        return podPath(namespace, pod) + "/log";
    }

    private String podPath(String namespace, String pod) {
        return "/api/v1/namespaces/" + calls.escapeString(namespace) + "/pods/" + calls.escapeString(pod);
    }

    private String collection(ResourceType type, String namespace) {
        String ns = namespace == null ? "" : "/namespaces/" + calls.escapeString(namespace);
        return prefix(type) + ns + "/" + plural(type);
    }

    private String item(ResourceType type, String namespace, String name) {
        return collection(type, namespace) + "/" + calls.escapeString(name);
    }

    private static String prefix(ResourceType type) {
        return switch (type) {
            case DEPLOYMENTS, STATEFULSETS, DAEMONSETS, REPLICASETS -> "/apis/apps/v1";
            case JOBS, CRONJOBS -> "/apis/batch/v1";
            case PODS, SERVICES, EVENTS, SECRETS, CONFIGMAPS -> "/api/v1";
        };
    }

    private static String plural(ResourceType type) {
        return type.rbacName().contains(".") ? type.rbacName().substring(0, type.rbacName().indexOf('.'))
                : type.rbacName();
    }

    private static Call call(ApiClient client, String method, String path, List<Pair> query, Object body,
                             String contentType) throws ApiException {
        Map<String, String> headers = new HashMap<>();
        headers.put("Accept", "application/json");
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        return client.buildCall(null, path, method, query, List.of(), body, headers, new HashMap<>(), new HashMap<>(),
                AUTH, null);
    }

    /**
     * Sends a call and reads its answer with Gantry's codec ({@link KubernetesJson}), not with the
     * static one client-java's {@code ApiClient.execute} uses; {@code type} null reads nothing. An
     * answer other than 2xx is an {@link ApiException} with its code and body, as client-java makes it.
     */
    private static <T> T execute(ApiClient client, Call call, Type type) throws ApiException {
        try (Response response = call.execute()) {
            ResponseBody body = response.body();
            if (!response.isSuccessful()) {
                throw new ApiException(response.message(), response.code(), response.headers().toMultimap(),
                        body == null ? null : body.string());
            }
            if (type == null || body == null || response.code() == 204) {
                return null;
            }
            if (type == String.class) {
                @SuppressWarnings("unchecked")
                T text = (T) body.string();
                return text;
            }
            return KubernetesJson.gson().fromJson(body.charStream(), type);
        } catch (IOException e) {
            throw new ApiException(e);
        }
    }
}
