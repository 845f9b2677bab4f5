package io.gantry.agent.daemon;

import com.google.protobuf.util.Timestamps;
import io.gantry.agent.api.v1.Image;
import io.gantry.agent.api.v1.ImagesGrpc;
import io.gantry.agent.api.v1.ImportImageRequest;
import io.gantry.agent.api.v1.ImportImageResponse;
import io.gantry.agent.api.v1.ListImagesRequest;
import io.gantry.agent.api.v1.ListImagesResponse;
import io.gantry.agent.runtime.ImageStore;
import io.gantry.agent.task.AgentFailure;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;

/** gRPC face of {@link ImageStore}. */
final class ImagesService extends ImagesGrpc.ImagesImplBase {
    private final ImageStore images;

    ImagesService(ImageStore images) {
        this.images = images;
    }

    @Override
    public void import_(ImportImageRequest request, StreamObserver<ImportImageResponse> observer) {
        Calls.answer(observer, () -> {
            Calls.namespace();
            if (request.getName().isBlank()) {
                throw AgentFailure.invalid("name: an image needs a name");
            }
            try {
                return ImportImageResponse.newBuilder()
                        .setImage(image(images.importTarball(request.getName(), request.getTarball().toByteArray())))
                        .build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public void list(ListImagesRequest request, StreamObserver<ListImagesResponse> observer) {
        Calls.answer(observer, () -> {
            Calls.namespace();
            ListImagesResponse.Builder out = ListImagesResponse.newBuilder();
            images.list().forEach(i -> out.addImages(image(i)));
            return out.build();
        });
    }

    private static Image image(ImageStore.ImageInfo info) {
        return Image.newBuilder().setName(info.name()).setSizeBytes(info.sizeBytes())
                .setImportedAt(Timestamps.fromMillis(info.importedAt().toEpochMilli())).build();
    }
}
