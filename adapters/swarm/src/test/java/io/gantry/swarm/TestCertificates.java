package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.RequiredEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A throw-away CA, server and client certificates made with the openssl CLI, the way Docker's "Protect the
 * Docker daemon socket" guide makes them, with client keys in the three PEM encodings openssl writes.
 */
final class TestCertificates {
    final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    static TestCertificates create(Path dir) {
        RequiredEngine.requireCommand("openssl", "makes the test CA and certificates; apt-get install -y openssl");
        TestCertificates certs = new TestCertificates(dir);
        certs.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem",
                "-days", "2", "-subj", "/CN=gantry-test-ca");
        certs.write("server.ext", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        certs.write("client.ext", "extendedKeyUsage=clientAuth\n");
        certs.signed("server", "pkcs8", "server.ext");
        certs.signed("client-rsa", "pkcs1", "client.ext");
        certs.signed("client-ec", "sec1", "client.ext");
        certs.signed("client-p8", "pkcs8", "client.ext");
        certs.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca-key.pem", "-out", "other-ca.pem",
                "-days", "2", "-subj", "/CN=someone-else");
        return certs;
    }

    String read(String file) {
        try {
            return Files.readString(dir.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void signed(String name, String keyFormat, String extensions) {
        switch (keyFormat) {
            case "pkcs1" -> openssl("genrsa", "-traditional", "-out", name + "-key.pem", "2048");
            case "sec1" -> openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", name + "-key.pem");
            default -> openssl("genpkey", "-algorithm", "RSA", "-out", name + "-key.pem");
        }
        openssl("req", "-new", "-key", name + "-key.pem", "-out", name + ".csr", "-subj", "/CN=" + name);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", extensions);
    }

    private void write(String file, String text) {
        try {
            Files.writeString(dir.resolve(file), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void openssl(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        LocalSwarm.Result result = LocalSwarm.run(Duration.ofSeconds(60), dir, command);
        assertThat(result.exitCode()).as("openssl " + String.join(" ", args) + ": " + result.output()).isZero();
    }
}
