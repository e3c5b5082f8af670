package searchkit.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node of searchkit's test cluster, in this JVM, with its plugins taken from the
 * classpath (Maven Central jars) instead of a distribution's modules/ folder. Started by
 * tests/cluster/run, which is the only intended caller:
 *
 * <pre>
 * java -cp ... searchkit.cluster.TestNode --name node-1 --home DIR --http-port 9200 --transport-port 9300
 *     --seed-hosts 127.0.0.1:9300,127.0.0.1:9301 --cluster-managers node-1,node-2
 *     [--owner-pid PID] [--max-minutes N] [-Esetting=value ...]
 * </pre>
 *
 * Runs until SIGTERM, until the owner process exits, or until the time limit passes; then the
 * node is closed (a clean leave, so the other node promotes its replicas at once).
 */
public final class TestNode {

    /**
     * What a plain distribution would load from modules/ and searchkit needs: the Netty transport
     * and HTTP server (without them the node has neither), the analysis-common filters (snowball,
     * asciifolding, stemmer, word_delimiter, ...), and Painless for scripts. Everything else asked
     * of the cluster (text/keyword/date fields, aliases, highlighting, bulk, search_after,
     * aggregations) lives in the server jar itself.
     */
    static final List<Class<? extends Plugin>> PLUGINS =
        List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, PainlessPlugin.class);

    /** Node's constructor that takes classpath plugins is protected; it is meant for embedding like this. */
    private static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> opts = new HashMap<>();
        Settings.Builder extra = Settings.builder();
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (arg.startsWith("-E") && arg.contains("=")) {
                String[] kv = arg.substring(2).split("=", 2);
                extra.put(kv[0], kv[1]);
            } else if (arg.startsWith("--") && i + 1 < argv.length) {
                opts.put(arg.substring(2), argv[++i]);
            } else {
                throw new IllegalArgumentException("unexpected argument " + arg + " (see the javadoc)");
            }
        }
        String name = required(opts, "name");
        Path home = Path.of(required(opts, "home")).toAbsolutePath();

        Settings settings = Settings.builder()
            .put("cluster.name", opts.getOrDefault("cluster-name", "searchkit-test"))
            .put("node.name", name)
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            // Loopback only: a test cluster with no security plugin must not be reachable from elsewhere.
            .put("network.host", "127.0.0.1")
            .put("http.port", required(opts, "http-port"))
            .put("transport.port", required(opts, "transport-port"))
            .putList("discovery.seed_hosts", split(required(opts, "seed-hosts")))
            .putList("cluster.initial_cluster_manager_nodes", split(required(opts, "cluster-managers")))
            // A nearly full CI disk must not stop shard allocation (watermarks are for production).
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("logger.level", "INFO")
            .put(extra.build())
            .build();

        // No log4j2.properties here: log to the console (the run script sends it to a file).
        LogConfigurator.configureWithoutConfig(settings);
        LogConfigurator.setNodeName(name);

        // The run script returns while the node keeps running; these stop it when its user is gone
        // (set before the node starts, so a node still starting obeys them too).
        if (opts.containsKey("owner-pid")) {
            long owner = Long.parseLong(opts.get("owner-pid"));
            ProcessHandle.of(owner).ifPresentOrElse(
                p -> p.onExit().thenRun(() -> exit("owner process " + owner + " exited")),
                () -> exit("owner process " + owner + " is not running"));
        }
        if (opts.containsKey("max-minutes")) {
            long minutes = Long.parseLong(opts.get("max-minutes"));
            Thread timer = new Thread(() -> {
                try {
                    Thread.sleep(TimeUnit.MINUTES.toMillis(minutes));
                    exit("ran for the --max-minutes limit of " + minutes);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "max-minutes");
            timer.setDaemon(true);
            timer.start();
        }

        Environment environment =
            InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> name);
        Node node = new ClasspathNode(environment, PLUGINS);

        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
            }
        }, "close-node"));

        try {
            node.start();
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1); // the shutdown hook closes what was opened
        }
        System.out.println("started " + name + " http 127.0.0.1:" + opts.get("http-port"));
        closed.await(); // keeps the JVM up: not every node thread is a non-daemon thread
    }

    private static void exit(String why) {
        System.out.println("stopping: " + why);
        System.exit(0);
    }

    private static String required(Map<String, String> opts, String key) {
        String value = opts.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return value;
    }

    private static List<String> split(String csv) {
        List<String> out = new ArrayList<>();
        for (String part : Arrays.asList(csv.split(","))) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }
}
