package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.gantry.agent.api.v1.ImagesGrpc;
import io.gantry.agent.api.v1.ImportImageRequest;
import io.gantry.agent.api.v1.ListImagesRequest;
import io.gantry.spi.RequiredEngine;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An image for the runc runtime made from busybox-static, as scripts/swarm-test-env.sh makes Docker's test image.
 * Public for the backend's end-to-end test of runc tasks.
 */
public final class BusyboxImage {
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    private BusyboxImage() {
    }

    /** What a runc test needs: root and runc to create containers, busybox-static for the image (CI fails without). */
    public static void requireRuncAndBusybox() {
        RequiredEngine.requireRoot("runc creates containers");
        RequiredEngine.requireCommand("runc", "apt-get install -y runc");
        RequiredEngine.require(Files.isExecutable(BUSYBOX), "busybox-static (apt-get install -y busybox-static)");
    }

    /** A rootfs holding busybox and links to {@code applets}, packed as {@code tar -C rootfs -c .} does. */
    public static byte[] tarball(Path workDir, List<String> applets) throws IOException, InterruptedException {
        Path rootfs = workDir.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
        for (String applet : applets) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Process tar = new ProcessBuilder("tar", "-C", rootfs.toString(), "-c", ".").start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        tar.getInputStream().transferTo(out);
        assertThat(tar.waitFor()).isZero();
        return out.toByteArray();
    }

    /** Imports the tarball into the agent under {@code name} (Images.Import) and checks that it is listed. */
    public static void importInto(AgentProcess agent, String namespace, String name, byte[] tarball) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", agent.port).usePlaintext()
                .maxInboundMessageSize(1 << 20).build();
        try {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + agent.token);
            headers.put(Metadata.Key.of("gantry-namespace", Metadata.ASCII_STRING_MARSHALLER), namespace);
            ImagesGrpc.ImagesBlockingStub images = ImagesGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
            images.import_(ImportImageRequest.newBuilder().setName(name).setTarball(ByteString.copyFrom(tarball)).build());
            assertThat(images.list(ListImagesRequest.getDefaultInstance()).getImagesList())
                    .anySatisfy(i -> assertThat(i.getName()).isEqualTo(name));
        } finally {
            channel.shutdownNow();
        }
    }
}
