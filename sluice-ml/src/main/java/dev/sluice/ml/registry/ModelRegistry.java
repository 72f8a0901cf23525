package dev.sluice.ml.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A directory of versioned model artifacts with an {@code ACTIVE} pointer; safe for any number of
 * threads of one process (every method holds the registry's lock).
 *
 * <p>Layout:
 * <pre>
 * MODELS_DIR/
 *   ACTIVE              line 1: the active version; lines 2..: earlier active versions, newest first
 *   1/  metadata.json   {@link ModelMetadata}
 *       model.tribuo    the model file (its name is in the metadata)
 *   2/  ...
 * </pre>
 *
 * <p>Guarantees:
 * <ol>
 *   <li>An artifact appears complete or not at all: {@link #register} writes it into a hidden
 *       {@code .incoming-*} directory and renames that to its version number.
 *   <li>{@code ACTIVE} is replaced atomically (written beside it, forced to disk, renamed over it),
 *       so a reader sees the old pointer or the new one, never a torn file.
 *   <li>Versions are positive integers, numbered from 1 on: one more than the highest numbered
 *       directory present, broken ones included, so a number is never reused while its directory
 *       exists.
 *   <li>A directory that is not a usable artifact (missing or unparsable metadata, missing model
 *       file, checksum mismatch) is listed as {@link ModelEntry.Broken}; it never makes {@link
 *       #list()} fail, and it cannot be activated or loaded.
 *   <li>{@link #load} returns only a model file that matches its checksum and was trained on the
 *       caller's feature schema; otherwise it throws {@link CorruptArtifactException} or {@link
 *       SchemaMismatchException}.
 * </ol>
 *
 * <p>Several processes: each {@code register} gets a distinct version (the rename fails if
 * another process took the number, and the next one is tried), but {@link #activate} and {@link
 * #rollback} are last-writer-wins between processes; run one writer (the server, or {@code sluice
 * train}) at a time.
 */
public final class ModelRegistry {

  /** The pointer file's name. */
  public static final String ACTIVE_FILE = "ACTIVE";
  /** The metadata file's name inside an artifact directory. */
  public static final String METADATA_FILE = "metadata.json";

  static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");
  private static final int HISTORY = 32;

  private final Path dir;
  private final InstantSource clock;

  private ModelRegistry(Path dir, InstantSource clock) {
    this.dir = dir;
    this.clock = clock;
  }

  /** Opens (creating if needed) the registry in {@code dir}, stamping artifacts with the system clock. */
  public static ModelRegistry open(Path dir) throws IOException {
    return open(dir, InstantSource.system());
  }

  /**
   * Opens (creating if needed) the registry in {@code dir}; {@code clock} stamps {@link
   * ModelMetadata#createdAt()}.
   *
   * @throws IOException when {@code dir} is not a directory or cannot be created
   */
  public static ModelRegistry open(Path dir, InstantSource clock) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IOException(dir + ": not a directory");
    }
    Files.createDirectories(dir);
    return new ModelRegistry(dir, clock);
  }

  /** The registry's directory. */
  public Path directory() {
    return dir;
  }

  /** Every numbered directory, oldest version first; broken ones are listed with the reason. */
  public synchronized List<ModelEntry> list() throws IOException {
    List<String> history = history();
    String active = history.isEmpty() ? null : history.getFirst();
    List<ModelEntry> entries = new ArrayList<>();
    for (String v : versions()) {
      boolean isActive = v.equals(active);
      try {
        entries.add(new ModelEntry.Valid(v, verified(v), isActive));
      } catch (CorruptArtifactException e) {
        entries.add(new ModelEntry.Broken(v, e.getMessage(), isActive));
      }
    }
    return List.copyOf(entries);
  }

  /** The active version, if {@code ACTIVE} names one. */
  public synchronized Optional<String> activeVersion() throws IOException {
    List<String> history = history();
    return history.isEmpty() ? Optional.empty() : Optional.of(history.getFirst());
  }

  /**
   * The active artifact's metadata, if a version is active.
   *
   * @throws CorruptArtifactException when the active artifact is broken
   */
  public synchronized Optional<ModelMetadata> active() throws IOException {
    Optional<String> v = activeVersion();
    return v.isEmpty() ? Optional.empty() : Optional.of(verified(v.get()));
  }

  /** The active version first, then the versions active before it, newest first (at most 32). */
  public synchronized List<String> history() throws IOException {
    Path p = dir.resolve(ACTIVE_FILE);
    List<String> lines;
    try {
      lines = Files.readAllLines(p, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    return lines.stream().map(String::strip).filter(s -> VERSION.matcher(s).matches()).toList();
  }

  /** The metadata of {@code version}, after checking its model file against the checksum. */
  public synchronized ModelMetadata metadata(String version) throws IOException {
    return verified(existing(version));
  }

  /**
   * Writes {@code model} as the next version and returns its metadata; does not activate it.
   *
   * @throws IOException when the directory cannot be written or the writer fails (nothing is left
   *     behind but a hidden {@code .incoming-*} directory if even its removal fails)
   */
  public synchronized ModelMetadata register(NewModel model) throws IOException {
    Path incoming = dir.resolve(".incoming-" + UUID.randomUUID());
    Files.createDirectory(incoming);
    try {
      Path file = incoming.resolve(model.modelFileName());
      model.writer().write(file);
      if (!Files.isRegularFile(file)) {
        throw new IOException("the model writer did not write " + file);
      }
      String sha = sha256(file);
      for (int attempt = 0; attempt < 100; attempt++) {
        String version = Integer.toString(nextVersion());
        ModelMetadata m = ModelMetadata.of(model, version, clock.instant(), sha);
        write(incoming.resolve(METADATA_FILE), m.toJson());
        try {
          Files.move(incoming, dir.resolve(version), StandardCopyOption.ATOMIC_MOVE);
          return m;
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
          // another process took this number; try the next one
        }
      }
      throw new IOException(dir + ": could not claim a version number after 100 attempts");
    } finally {
      deleteTree(incoming);
    }
  }

  /**
   * Makes {@code version} the active one (a no-op when it already is) and returns its metadata.
   *
   * @throws IllegalArgumentException when there is no such version
   * @throws CorruptArtifactException when it is broken
   */
  public synchronized ModelMetadata activate(String version) throws IOException {
    ModelMetadata m = verified(existing(version));
    List<String> history = new ArrayList<>(history());
    if (!history.isEmpty() && history.getFirst().equals(version)) {
      return m;
    }
    history.addFirst(version);
    writePointer(history);
    return m;
  }

  /**
   * Re-activates the version that was active before the current one and returns its metadata.
   *
   * @throws IllegalStateException when there is no earlier active version
   * @throws CorruptArtifactException when the earlier version is broken now (nothing changes)
   */
  public synchronized ModelMetadata rollback() throws IOException {
    List<String> history = new ArrayList<>(history());
    if (history.size() < 2) {
      throw new IllegalStateException(dir + ": nothing to roll back to ("
          + (history.isEmpty() ? "no version is active" : "version " + history.getFirst()
          + " is the only one ever activated") + ")");
    }
    history.removeFirst();
    ModelMetadata m = verified(existing(history.getFirst()));
    writePointer(history);
    return m;
  }

  /**
   * Checks {@code version} and returns its verified model file with the metadata.
   *
   * @param expectedSchemaHash the running features' {@code DatasetSchema} hash
   * @throws IllegalArgumentException when there is no such version
   * @throws CorruptArtifactException when it is broken
   * @throws SchemaMismatchException when it was trained on another feature schema
   */
  public synchronized LoadedArtifact load(String version, String expectedSchemaHash) throws IOException {
    ModelMetadata m = verified(existing(version));
    if (!m.featureSchemaHash().equals(expectedSchemaHash)) {
      throw new SchemaMismatchException(version, m.featureSchemaHash(), expectedSchemaHash);
    }
    return new LoadedArtifact(m, dir.resolve(version).resolve(m.modelFileName()));
  }

  /** Like {@link #load} for the active version; empty when none is active. */
  public synchronized Optional<LoadedArtifact> loadActive(String expectedSchemaHash) throws IOException {
    Optional<String> v = activeVersion();
    return v.isEmpty() ? Optional.empty() : Optional.of(load(v.get(), expectedSchemaHash));
  }

  private String existing(String version) throws IOException {
    if (version == null || !VERSION.matcher(version).matches() || !Files.isDirectory(dir.resolve(version))) {
      throw new IllegalArgumentException("version: " + version + " (expected: one of " + versions() + ")");
    }
    return version;
  }

  private ModelMetadata verified(String version) throws CorruptArtifactException {
    Path a = dir.resolve(version);
    ModelMetadata m;
    try {
      m = ModelMetadata.parse(Files.readString(a.resolve(METADATA_FILE), StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new CorruptArtifactException(a + ": no " + METADATA_FILE + " (half-written or not an artifact)");
    } catch (IOException e) {
      throw new CorruptArtifactException(a + ": cannot read " + METADATA_FILE + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new CorruptArtifactException(a + "/" + METADATA_FILE + ": " + e.getMessage());
    }
    if (!m.version().equals(version)) {
      throw new CorruptArtifactException(a + "/" + METADATA_FILE + ": version " + m.version()
          + " (expected: " + version + ", its directory name)");
    }
    Path file = a.resolve(m.modelFileName());
    String sha;
    try {
      sha = sha256(file);
    } catch (NoSuchFileException e) {
      throw new CorruptArtifactException(a + ": model file " + m.modelFileName() + " is missing");
    } catch (IOException e) {
      throw new CorruptArtifactException(a + ": cannot read " + m.modelFileName() + ": " + e.getMessage());
    }
    if (!sha.equals(m.sha256())) {
      throw new CorruptArtifactException(a + ": " + m.modelFileName() + " has SHA-256 " + sha.substring(0, 12)
          + "\u2026 but the metadata records " + m.sha256().substring(0, 12) + "\u2026 (damaged or replaced)");
    }
    return m;
  }

  private List<String> versions() throws IOException {
    List<String> v = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        String name = p.getFileName().toString();
        if (VERSION.matcher(name).matches() && Files.isDirectory(p)) {
          v.add(name);
        }
      }
    }
    v.sort(Comparator.comparingLong(Long::parseLong));
    return v;
  }

  private int nextVersion() throws IOException {
    List<String> v = versions();
    return v.isEmpty() ? 1 : Integer.parseInt(v.getLast()) + 1;
  }

  private void writePointer(List<String> history) throws IOException {
    List<String> kept = history.subList(0, Math.min(HISTORY, history.size()));
    Path tmp = dir.resolve("." + ACTIVE_FILE + "-" + UUID.randomUUID());
    try {
      write(tmp, String.join("\n", kept) + "\n");
      try {
        Files.move(tmp, dir.resolve(ACTIVE_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(dir + ": the file system cannot replace " + ACTIVE_FILE + " atomically", e);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void write(Path file, String text) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      c.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      c.force(true);
    }
  }

  /** The SHA-256 of {@code file} as 64 lower-case hex digits. */
  public static String sha256(Path file) throws IOException {
    MessageDigest d;
    try {
      d = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), d)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(d.digest());
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}
