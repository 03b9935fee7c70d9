package org.openledger.flink.domain;

import java.util.Optional;

/**
 * The low-quality rule of the attribution job (docs/SECURITY.md, "Low-quality content"): a
 * contribution whose text is mostly not text, or holds almost nothing a query could match, earns
 * nothing and gets a slash proposal, like a duplicate. Fixed code-point ranges and integer
 * arithmetic only, never the JDK's Unicode tables (which change between versions), so every run and
 * every replay judges the same bytes the same way.
 */
public final class ContentQuality {

  /** Fewer meaningful code points than this: near-empty. */
  public static final int MIN_MEANINGFUL = 3;

  /** This share of non-text code points or more (parts per million): non-text. */
  public static final long MAX_NON_TEXT_PPM = 100_000;

  private static final long PPM = 1_000_000;

  /** Which rule the content broke ({@code near-empty} or {@code non-text}) and its measure. */
  public record Verdict(String rule, String detail) {}

  private ContentQuality() {}

  /** The verdict on a contribution's (UTF-8 decoded, non-blank) text; empty when it is fine. */
  public static Optional<Verdict> assess(String text) {
    long total = 0;
    long nonText = 0;
    long meaningful = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      total++;
      if (nonText(cp)) {
        nonText++;
      } else if (meaningful(cp)) {
        meaningful++;
      }
    }
    if (total > 0 && nonText * PPM >= MAX_NON_TEXT_PPM * total) {
      return Optional.of(
          new Verdict(
              "non-text",
              "non-text-ppm="
                  + nonText * PPM / total
                  + " bound-ppm="
                  + MAX_NON_TEXT_PPM
                  + " code-points="
                  + total));
    }
    if (meaningful < MIN_MEANINGFUL) {
      return Optional.of(
          new Verdict("near-empty", "meaningful=" + meaningful + " min=" + MIN_MEANINGFUL));
    }
    return Optional.empty();
  }

  /**
   * Not text: C0 controls but tab, line feed and carriage return; DEL and the C1 controls; lone
   * surrogates; private use; the noncharacters; the replacement character U+FFFD.
   */
  static boolean nonText(int cp) {
    return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
        || (cp >= 0x7F && cp <= 0x9F)
        || (cp >= 0xD800 && cp <= 0xDFFF)
        || (cp >= 0xE000 && cp <= 0xF8FF)
        || cp >= 0xF0000
        || (cp >= 0xFDD0 && cp <= 0xFDEF)
        || (cp & 0xFFFE) == 0xFFFE
        || cp == 0xFFFD;
  }

  /**
   * Meaningful: an ASCII letter or digit, or any code point above Latin-1's controls that is
   * neither non-text nor a space (no-break, Ogham, the U+2000 block, line and paragraph separators,
   * narrow, mathematical and ideographic spaces).
   */
  static boolean meaningful(int cp) {
    if (cp < 0x80) {
      return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
    }
    return cp >= 0xA0
        && cp != 0xA0
        && cp != 0x1680
        && !(cp >= 0x2000 && cp <= 0x200A)
        && cp != 0x2028
        && cp != 0x2029
        && cp != 0x202F
        && cp != 0x205F
        && cp != 0x3000;
  }
}
