package dev.sluice.sim;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * Opens per-second count traces in place: plain text, {@code .gz}, {@code .bz2}, or the first
 * file of a {@code .tbz2}/{@code .tar.bz2} archive (the NASA trace's packaging). Counts are
 * integers or decimals separated by any white space, one per second.
 */
final class TraceFiles {

  private TraceFiles() {}

  /** Opens {@code file}, decompressing and unpacking by its name. */
  static InputStream open(Path file) throws IOException {
    String name = file.getFileName().toString();
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    try {
      if (name.endsWith(".gz")) {
        return new GZIPInputStream(raw, 1 << 16);
      }
      if (name.endsWith(".tbz2") || name.endsWith(".tar.bz2")) {
        TarArchiveInputStream tar = new TarArchiveInputStream(new BZip2CompressorInputStream(raw));
        while (true) {
          var entry = tar.getNextEntry();
          if (entry == null) {
            throw new IOException("no file inside the archive");
          }
          if (entry.isFile()) {
            return tar;
          }
        }
      }
      if (name.endsWith(".bz2")) {
        return new BZip2CompressorInputStream(raw);
      }
      return raw;
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }

  /**
   * Reads up to {@code limit} counts after skipping the first {@code start}, each multiplied by
   * {@code scale}.
   *
   * @throws NumberFormatException on a token that is not a number
   */
  static List<Double> counts(InputStream in, int start, int limit, double scale) throws IOException {
    List<Double> values = new ArrayList<>();
    StringBuilder token = new StringBuilder();
    int seen = 0;
    int c;
    while (values.size() < limit) {
      c = in.read();
      if (c < 0 || Character.isWhitespace(c)) {
        if (!token.isEmpty()) {
          if (seen++ >= start) {
            values.add(Double.parseDouble(token.toString()) * scale);
          }
          token.setLength(0);
        }
        if (c < 0) {
          break;
        }
      } else {
        token.append((char) c);
      }
    }
    return values;
  }
}
