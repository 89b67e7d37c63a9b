package local.mongoserver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.h2.mvstore.MVStore;

/**
 * Starts mongo-java-server with the H2 MVStore file backend.
 *
 * <p>Usage: {@code java -jar mongo-java-server.jar [--host 127.0.0.1] [--port 27019] [--file data/mongo.mv]}
 *
 * <p>The stock {@code ServerVersion} enum tops out at MongoDB 5.0 / wire version 8, below what
 * pymongo 4.x accepts (PyMongo 4.20 needs >= 9), so a custom {@link MongoVersion} reports
 * MongoDB 5.0 with wire version 13 (MONGO_WIRE_VERSION env overrides).
 */
public final class Main {

    /** Reported server version: what hello/buildInfo return to clients. */
    private record Version(List<Integer> versionArray, int wireVersion) implements MongoVersion {
        @Override
        public List<Integer> getVersionArray() {
            return versionArray;
        }

        @Override
        public int getWireVersion() {
            return wireVersion;
        }
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 27019;
        String file = "mongo.mv";
        boolean inMemory = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--file" -> file = args[++i];
                case "--memory" -> inMemory = true;
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        int wire = Integer.parseInt(System.getenv().getOrDefault("MONGO_WIRE_VERSION", "13"));

        H2Backend backend;
        if (inMemory) {
            // Throwaway store (CI, tests): nothing on disk to grow or to be left half-written.
            backend = new H2Backend(new MVStore.Builder().open());
        } else {
            Path parent = Path.of(file).toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            backend = new H2Backend(file);
        }
        backend.version(new Version(List.of(5, 0, 0), wire));
        MongoServer server = new MongoServer(backend);

        // On SIGTERM/SIGINT: stop accepting, then close the backend (flushes and closes the H2 file).
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            stopped.countDown();
        }, "shutdown"));

        server.bind(host, port);
        System.out.printf("mongo-java-server listening on %s:%d (H2 %s, wire version %d)%n",
                host, port, inMemory ? "in memory" : "file " + Path.of(file).toAbsolutePath(), wire);
        stopped.await();
    }
}
