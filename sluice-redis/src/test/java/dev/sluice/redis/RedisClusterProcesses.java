package dev.sluice.redis;

import dev.sluice.testkit.Conditions;
import dev.sluice.testkit.RedisProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Three cluster-enabled redis-server processes on loopback, joined into one Cluster of three
 * masters the way {@code redis-cli --cluster create} does it (which the embedded jar does not ship):
 * {@code CLUSTER ADDSLOTS} a third of the 16384 slots on each, {@code CLUSTER MEET}, then wait for
 * {@code cluster_state:ok} on every node.
 */
final class RedisClusterProcesses implements AutoCloseable {

  private final List<RedisProcess> nodes = new ArrayList<>();

  RedisClusterProcesses() {
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(RedisProcess.startClusterNode());
      }
      create();
    } catch (RuntimeException | AssertionError e) {
      close();
      throw e;
    }
  }

  private void create() {
    RedisClient client = RedisClient.create();
    try {
      List<StatefulRedisConnection<String, String>> conns = new ArrayList<>();
      for (RedisProcess n : nodes) {
        conns.add(client.connect(RedisURI.create(n.uri())));
      }
      int[] bounds = {0, 5461, 10923, 16384};
      for (int i = 0; i < 3; i++) {
        conns.get(i).sync().clusterAddSlots(IntStream.range(bounds[i], bounds[i + 1]).toArray());
      }
      for (int i = 1; i < 3; i++) {
        conns.get(0).sync().clusterMeet("127.0.0.1", nodes.get(i).port());
      }
      for (StatefulRedisConnection<String, String> c : conns) {
        RedisCommands<String, String> s = c.sync();
        Conditions.await("cluster_state:ok on a node", Duration.ofSeconds(20), () -> {
          String info = s.clusterInfo();
          return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3");
        });
      }
      conns.forEach(StatefulRedisConnection::close);
    } finally {
      client.shutdown();
    }
  }

  /** Returns the seed URIs of every master. */
  List<RedisURI> seeds() {
    return nodes.stream().map(n -> RedisURI.create(n.uri())).toList();
  }

  @Override
  public void close() {
    nodes.forEach(RedisProcess::kill);
  }
}
