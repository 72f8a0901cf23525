package dev.sluice.testkit;

import dev.sluice.core.BucketStore;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;

/** The in-process store against the shared suite. */
class LocalBucketStoreTest extends AbstractBucketStoreTest {

  @Override
  protected BucketStore createStore(LimiterSpec spec, ManualClock clock) {
    return BucketStore.local(spec, clock);
  }
}
