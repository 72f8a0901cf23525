package dev.sluice.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Lua script run by digest ({@code EVALSHA}), sent again with {@code EVAL} when a server answers
 * {@code NOSCRIPT} (after a restart, a failover or {@code SCRIPT FLUSH}); {@code EVAL} also caches
 * it on that server for the next calls. Thread-safe.
 */
final class LuaScript {

  /** The bucket script: GCRA over one to three keys, see {@code gcra.lua}. */
  static final LuaScript BUCKETS = load("gcra.lua");
  /** The batch script: many decisions in one call, in order, see {@code batch.lua}. */
  static final LuaScript BATCH = load("batch.lua");
  /** The heartbeat script: registers a node and counts live ones. */
  static final LuaScript HEARTBEAT = load("heartbeat.lua");

  private final String text;
  private final String sha;
  private final AtomicLong reloads = new AtomicLong();

  private LuaScript(String text) {
    this.text = text;
    this.sha = sha1(text);
  }

  private static LuaScript load(String resource) {
    try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("script resource missing: " + resource);
      }
      return new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("script resource unreadable: " + resource, e);
    }
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  String sha() {
    return sha;
  }

  String text() {
    return text;
  }

  /** Returns how many times a server lacked the script and it was sent again. */
  long reloads() {
    return reloads.get();
  }

  /** Runs the script over {@code keys} with {@code args}; the reply's integers, in order. */
  CompletableFuture<long[]> run(RedisScriptingAsyncCommands<String, String> cmds, String[] keys, String[] args) {
    CompletableFuture<List<Object>> first = cmds.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args)
        .toCompletableFuture();
    return first.handle((reply, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(reply);
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (cause instanceof RedisNoScriptException
          || (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"))) {
        reloads.incrementAndGet();
        return cmds.<List<Object>>eval(text, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
      }
      return CompletableFuture.<List<Object>>failedFuture(cause);
    }).thenCompose(f -> f).thenApply(LuaScript::longs);
  }

  private static long[] longs(List<Object> reply) {
    long[] out = new long[reply.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) reply.get(i)).longValue();
    }
    return out;
  }
}
