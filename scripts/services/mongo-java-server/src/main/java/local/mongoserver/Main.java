package local.mongoserver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.h2.mvstore.MVStore;

/**
 * Starts mongo-java-server on one of three stores.
 *
 * <p>Usage: {@code java -jar mongo-java-server.jar [--host 127.0.0.1] [--port 27019]
 * [--store memory | h2-memory | h2-file] [--file data/mongo.mv]}
 *
 * <ul>
 *   <li>{@code memory}: documents kept as Java objects (fastest; nothing survives a restart);</li>
 *   <li>{@code h2-memory}: H2 MVStore in memory (every read and write serialises a document);</li>
 *   <li>{@code h2-file}: H2 MVStore file at {@code --file} (survives a restart).</li>
 * </ul>
 * ({@code --memory} is kept as a synonym of {@code --store h2-memory}.)
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
        String store = "h2-file";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--file" -> file = args[++i];
                case "--store" -> store = args[++i];
                case "--memory" -> store = "h2-memory";
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        int wire = Integer.parseInt(System.getenv().getOrDefault("MONGO_WIRE_VERSION", "13"));

        AbstractMongoBackend backend;
        String description;
        switch (store) {
            case "memory" -> {
                backend = new MemoryBackend();
                description = "memory";
            }
            case "h2-memory" -> {
                // Throwaway H2 store: nothing on disk to grow or to be left half-written.
                backend = new H2Backend(new MVStore.Builder().open());
                description = "H2 in memory";
            }
            case "h2-file" -> {
                Path parent = Path.of(file).toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                backend = new H2Backend(file);
                description = "H2 file " + Path.of(file).toAbsolutePath();
            }
            default -> throw new IllegalArgumentException("unknown store: " + store);
        }
        backend.version(new Version(List.of(5, 0, 0), wire));
        MongoServer server = new MongoServer(backend);

        // On SIGTERM/SIGINT: stop accepting, then close the backend (flushes and closes an H2 file).
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            stopped.countDown();
        }, "shutdown"));

        server.bind(host, port);
        System.out.printf("mongo-java-server listening on %s:%d (%s, wire version %d)%n", host, port, description, wire);
        stopped.await();
    }
}
