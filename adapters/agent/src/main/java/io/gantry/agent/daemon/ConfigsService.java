package io.gantry.agent.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gantry.agent.api.v1.ConfigMeta;
import io.gantry.agent.api.v1.ConfigsGrpc;
import io.gantry.agent.api.v1.CreateConfigRequest;
import io.gantry.agent.api.v1.CreateConfigResponse;
import io.gantry.agent.api.v1.DeleteConfigRequest;
import io.gantry.agent.api.v1.DeleteConfigResponse;
import io.gantry.agent.api.v1.ListConfigsRequest;
import io.gantry.agent.api.v1.ListConfigsResponse;
import io.gantry.agent.api.v1.ReadConfigRequest;
import io.gantry.agent.api.v1.ReadConfigResponse;
import io.gantry.agent.api.v1.RotateConfigRequest;
import io.gantry.agent.api.v1.RotateConfigResponse;
import io.gantry.agent.config.ConfigStore;
import io.gantry.agent.task.ConfigUsers;
import io.grpc.stub.StreamObserver;
import java.util.List;

/** gRPC face of {@link ConfigStore}; log lines name objects and keys, never values. */
final class ConfigsService extends ConfigsGrpc.ConfigsImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigsService.class);

    private final ConfigStore store;
    private final ConfigUsers users;

    ConfigsService(ConfigStore store, ConfigUsers users) {
        this.store = store;
        this.users = users;
    }

    @Override
    public void create(CreateConfigRequest request, StreamObserver<CreateConfigResponse> observer) {
        Calls.answer(observer, () -> {
            ConfigMeta meta = store.create(Calls.namespace(), request.getName(), request.getKind(), request.getDataMap());
            LOG.info("created {} {}/{} (keys {})", ConfigStore.label(meta.getKind()), meta.getNamespace(),
                    meta.getName(), meta.getKeysList());
            return CreateConfigResponse.newBuilder().setConfig(meta).build();
        });
    }

    @Override
    public void rotate(RotateConfigRequest request, StreamObserver<RotateConfigResponse> observer) {
        Calls.answer(observer, () -> {
            String namespace = Calls.namespace();
            ConfigMeta meta;
            // one rotation or deletion at a time: a deletion must not slip in between the key check and the write
            synchronized (store) {
                users.requireKeys(namespace, request.getName(), request.getKind(), request.getDataMap().keySet());
                meta = store.rotate(namespace, request.getName(), request.getKind(), request.getDataMap());
            }
            List<String> restarted = users.restartUsers(namespace, request.getName(), request.getKind());
            LOG.info("rotated {} {}/{} to version {}; restarted tasks {}", ConfigStore.label(meta.getKind()),
                    namespace, meta.getName(), meta.getVersion(), restarted);
            return RotateConfigResponse.newBuilder().setConfig(meta).addAllRestartedTasks(restarted).build();
        });
    }

    @Override
    public void delete(DeleteConfigRequest request, StreamObserver<DeleteConfigResponse> observer) {
        Calls.answer(observer, () -> {
            String namespace = Calls.namespace();
            synchronized (store) {
                users.requireUnused(namespace, request.getName(), request.getKind());
                store.delete(namespace, request.getName(), request.getKind());
            }
            LOG.info("deleted {} {}/{}", ConfigStore.label(request.getKind()), namespace, request.getName());
            return DeleteConfigResponse.getDefaultInstance();
        });
    }

    @Override
    public void list(ListConfigsRequest request, StreamObserver<ListConfigsResponse> observer) {
        Calls.answer(observer, () -> ListConfigsResponse.newBuilder()
                .addAllConfigs(store.list(NamespaceInterceptor.current())).build());
    }

    @Override
    public void read(ReadConfigRequest request, StreamObserver<ReadConfigResponse> observer) {
        Calls.answer(observer, () -> ReadConfigResponse.newBuilder()
                .putAllData(store.readConfig(Calls.namespace(), request.getName(), request.getKind())).build());
    }
}
