package io.gantry.agent.daemon;

import io.gantry.agent.api.v1.CheckContainerRequest;
import io.gantry.agent.api.v1.CheckContainerResponse;
import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.ContainersGrpc;
import io.gantry.agent.api.v1.CreateContainerRequest;
import io.gantry.agent.api.v1.CreateContainerResponse;
import io.gantry.agent.api.v1.DeleteContainerRequest;
import io.gantry.agent.api.v1.DeleteContainerResponse;
import io.gantry.agent.api.v1.GetContainerRequest;
import io.gantry.agent.api.v1.GetContainerResponse;
import io.gantry.agent.api.v1.ListContainersRequest;
import io.gantry.agent.api.v1.ListContainersResponse;
import io.gantry.agent.api.v1.UpdateContainerRequest;
import io.gantry.agent.api.v1.UpdateContainerResponse;
import io.gantry.agent.task.ContainerStore;
import io.gantry.agent.task.TaskSupervisor;
import io.grpc.stub.StreamObserver;
import java.util.List;

/** gRPC face of {@link ContainerStore}. */
final class ContainersService extends ContainersGrpc.ContainersImplBase {
    private final ContainerStore containers;
    private final TaskSupervisor tasks;
    private final List<String> privilegedRuntimes;

    ContainersService(ContainerStore containers, TaskSupervisor tasks, List<String> privilegedRuntimes) {
        this.containers = containers;
        this.tasks = tasks;
        this.privilegedRuntimes = privilegedRuntimes;
    }

    @Override
    public void check(CheckContainerRequest request, StreamObserver<CheckContainerResponse> observer) {
        Calls.answer(observer, () -> {
            ContainerSpec settled = containers.check(NamespaceInterceptor.current(), request.getSpec());
            return CheckContainerResponse.newBuilder().setSpec(settled)
                    .setPrivileged(privilegedRuntimes.contains(settled.getRuntime())).build();
        });
    }

    @Override
    public void create(CreateContainerRequest request, StreamObserver<CreateContainerResponse> observer) {
        Calls.answer(observer, () -> CreateContainerResponse.newBuilder().setContainer(containers.create(
                Calls.namespace(), request.getId(), request.getLabelsMap(), request.getSpec())).build());
    }

    @Override
    public void get(GetContainerRequest request, StreamObserver<GetContainerResponse> observer) {
        Calls.answer(observer, () -> GetContainerResponse.newBuilder()
                .setContainer(containers.get(Calls.namespace(), request.getId())).build());
    }

    @Override
    public void list(ListContainersRequest request, StreamObserver<ListContainersResponse> observer) {
        Calls.answer(observer, () -> ListContainersResponse.newBuilder()
                .addAllContainers(containers.list(NamespaceInterceptor.current())).build());
    }

    @Override
    public void update(UpdateContainerRequest request, StreamObserver<UpdateContainerResponse> observer) {
        Calls.answer(observer, () -> UpdateContainerResponse.newBuilder().setContainer(containers.update(
                Calls.namespace(), request.getId(), request.getLabelsMap(), request.getSpec(),
                request.getExpectedGeneration())).build());
    }

    @Override
    public void delete(DeleteContainerRequest request, StreamObserver<DeleteContainerResponse> observer) {
        Calls.answer(observer, () -> {
            tasks.deleteContainer(Calls.namespace(), request.getId());
            return DeleteContainerResponse.getDefaultInstance();
        });
    }
}
