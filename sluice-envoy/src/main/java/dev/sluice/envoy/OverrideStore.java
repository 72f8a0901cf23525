package dev.sluice.envoy;

import dev.sluice.core.BucketStore;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.TierSpec;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The buckets of descriptor-level limit overrides, thread-safe: one store, opened with the service
 * (so no call waits for a connection), with a tier per distinct override shape (requests per unit
 * and unit) added when a call first names it, at most {@code maxShapes} of them. Clients choose the
 * overrides, so the bound keeps them from growing the store's tiers (and a Redis store's key space)
 * without end.
 *
 * <ol>
 *   <li>A shape's tier is in the store's spec before any call charges it: {@link #tierFor} adds it
 *       (under this object's monitor) and only then returns.
 *   <li>Tiers are never removed while the service runs, so a bucket of a shape keeps its tokens.
 *   <li>Past {@code maxShapes} shapes, a new one is refused ({@link TooManyShapesException}); the
 *       known ones keep working.
 * </ol>
 */
final class OverrideStore implements AutoCloseable {

  /** The most distinct override shapes by default. */
  static final int DEFAULT_MAX_SHAPES = 64;

  /** The prefix of an override tier's name. */
  static final String TIER_PREFIX = "override";

  /** The tier the store starts with, which no call names: a spec needs one. */
  static final String NO_SHAPE = TIER_PREFIX + ":(none)";

  /** Thrown when a call names an override shape past the bound. */
  static final class TooManyShapesException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooManyShapesException(String message) {
      super(message, null, false, false);
    }
  }

  private final int maxShapes;
  private final Set<String> tiers = ConcurrentHashMap.newKeySet();
  private final BucketStore store;

  /** Opens the store with {@code opener} now; at most {@code maxShapes} shapes. */
  OverrideStore(Function<LimiterSpec, BucketStore> opener, int maxShapes) {
    if (opener == null) {
      throw new IllegalArgumentException("override store opener: null");
    }
    if (maxShapes < 1) {
      throw new IllegalArgumentException("max override shapes: " + maxShapes + " (expected: >= 1)");
    }
    this.maxShapes = maxShapes;
    this.store = opener.apply(LimiterSpec.builder().tier(NO_SHAPE, Limit.of(1, 1)).build());
  }

  /**
   * Returns the tier of an override's shape: named by its size and unit, so that override buckets
   * of different limits never share keys in a shared (Redis) store.
   */
  static String tierOf(EnvoyRule rule) {
    return TIER_PREFIX + ":" + rule.requestsPerUnit() + "/" + rule.unit();
  }

  /**
   * Returns the store, with the tier of {@code rule}'s shape in its spec.
   *
   * @throws TooManyShapesException if the shape is new and {@code maxShapes} are known already
   */
  BucketStore storeFor(EnvoyRule rule) {
    String tier = tierOf(rule);
    if (tiers.contains(tier)) {
      return store;
    }
    synchronized (this) {
      if (!tiers.contains(tier)) {
        if (tiers.size() >= maxShapes) {
          throw new TooManyShapesException("descriptor limit overrides: more than " + maxShapes
              + " distinct (requests_per_unit, unit) shapes; " + rule.requestsPerUnit() + "/" + rule.unit()
              + " is refused, the known ones keep working");
        }
        store.reconfigure(store.spec().withTier(new TierSpec(tier, rule.limit(), null, 0)));
      }
      tiers.add(tier);
      return store;
    }
  }

  /** Returns how many distinct shapes have a tier. */
  int shapes() {
    return tiers.size();
  }

  /** Returns the bound on distinct shapes. */
  int maxShapes() {
    return maxShapes;
  }

  /** Closes the store. */
  @Override
  public void close() {
    store.close();
  }
}
