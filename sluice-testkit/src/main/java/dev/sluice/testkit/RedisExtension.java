package dev.sluice.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real standalone redis-server ({@link RedisProcess}) for all tests of a class: started before
 * the first, killed after the last. Register it as a static field, {@code @RegisterExtension static
 * final RedisExtension redis = new RedisExtension();}, and read {@link #uri()} in the tests.
 * Thread-safe.
 */
public final class RedisExtension implements BeforeAllCallback, AfterAllCallback {

  private volatile RedisProcess process;

  @Override
  public void beforeAll(ExtensionContext context) {
    process = RedisProcess.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    RedisProcess p = process;
    process = null;
    if (p != null) {
      p.kill();
    }
  }

  /** Returns the running server. */
  public RedisProcess process() {
    RedisProcess p = process;
    if (p == null) {
      throw new IllegalStateException("redis-server: not running (expected: a static @RegisterExtension field)");
    }
    return p;
  }

  /** Returns the running server's {@code redis://} URI. */
  public String uri() {
    return process().uri();
  }
}
