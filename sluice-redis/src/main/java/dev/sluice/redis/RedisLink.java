package dev.sluice.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One Lettuce client and its connection, to a standalone server or a Cluster, seen only through
 * the scripting commands the store needs. Connects asynchronously and connects again after a failed
 * attempt; commands fail fast while disconnected instead of queueing. Thread-safe.
 */
final class RedisLink implements AutoCloseable {

  private final AbstractRedisClient client;
  private final ClientResources resources;
  private final Supplier<CompletableFuture<? extends StatefulConnection<String, String>>> connect;
  private final Duration timeout;
  private volatile CompletableFuture<? extends StatefulConnection<String, String>> connection;

  private RedisLink(AbstractRedisClient client, ClientResources resources,
      Supplier<CompletableFuture<? extends StatefulConnection<String, String>>> connect, Duration timeout) {
    this.client = client;
    this.resources = resources;
    this.connect = connect;
    this.timeout = timeout;
    this.connection = connect.get();
  }

  private static ClientResources resources() {
    return ClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.constant(Duration.ofMillis(50)))
        .build();
  }

  /** Links to one standalone server. */
  static RedisLink standalone(RedisURI uri, Duration timeout) {
    ClientResources res = resources();
    RedisClient c = RedisClient.create(res);
    c.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build());
    return new RedisLink(c, res, () -> c.connectAsync(StringCodec.UTF8, uri).toCompletableFuture(), timeout);
  }

  /** Links to a Cluster through its seed nodes. */
  static RedisLink cluster(List<RedisURI> seeds, Duration timeout) {
    ClientResources res = resources();
    RedisClusterClient c = RedisClusterClient.create(res, seeds);
    // Node connections open lazily on a slot's first command, so rejecting commands while
    // disconnected would fail every first touch; buffered commands are bounded by the timeout, and
    // one that runs after its caller fell back only consumes tokens (under-admits, never over-admits).
    c.setOptions(ClusterClientOptions.builder()
        .autoReconnect(true)
        .build());
    // connectAsync needs the slot map first; loading it asynchronously keeps build() non-blocking.
    return new RedisLink(c, res, () -> c.refreshPartitionsAsync().toCompletableFuture()
        .thenCompose(v -> c.connectAsync(StringCodec.UTF8)), timeout);
  }

  /**
   * Waits up to {@code max} for the first connection (at start-up, off any event loop); returns
   * whether it is up. A store whose Redis is down at start serves from its fallback meanwhile.
   */
  boolean awaitConnected(Duration max) {
    try {
      connection.get(max.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  /** Runs {@code script}, failing after the link's timeout; never blocks the caller. */
  CompletableFuture<long[]> run(LuaScript script, String[] keys, String[] args) {
    return run(script, keys, args, timeout.toNanos());
  }

  /** Runs {@code script}, failing after {@code timeoutNanos}; never blocks the caller. */
  CompletableFuture<long[]> run(LuaScript script, String[] keys, String[] args, long timeoutNanos) {
    CompletableFuture<? extends StatefulConnection<String, String>> c = connection;
    if (c.isCompletedExceptionally()) {
      synchronized (this) {
        if (connection == c) {
          connection = connect.get();
        }
        c = connection;
      }
    }
    return c.thenCompose(conn -> script.run(commands(conn), keys, args))
        .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS);
  }

  /** Returns the timeout of one call. */
  Duration timeout() {
    return timeout;
  }

  @SuppressWarnings("unchecked")
  private static RedisScriptingAsyncCommands<String, String> commands(StatefulConnection<String, String> conn) {
    if (conn instanceof io.lettuce.core.api.StatefulRedisConnection<?, ?> s) {
      return (RedisScriptingAsyncCommands<String, String>) s.async();
    }
    return ((io.lettuce.core.cluster.api.StatefulRedisClusterConnection<String, String>) conn).async();
  }

  /** Closes the connection and the client abruptly, without any goodbye to Redis. */
  @Override
  public void close() {
    client.shutdownAsync(0, 2, TimeUnit.SECONDS);
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
