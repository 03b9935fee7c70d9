package org.openledger.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openledger.flink.AttributionJob;
import org.openledger.flink.attribution.ChainInput;
import org.openledger.flink.domain.FetchPolicy;
import org.openledger.flink.domain.HostResolver;
import org.openledger.flink.domain.Keccak;

/**
 * The fetcher on files: only regular files under the content root, read with a cap, verified
 * against their commitment; every other path is denied with one reason that does not say whether it
 * exists. HTTP is in {@link ContentFetcherHttpTest}.
 */
class ContentFetcherTest {

  @TempDir Path dir;

  private ContentFetcher fetcher;

  @AfterEach
  void close() {
    if (fetcher != null) {
      fetcher.close();
    }
  }

  static AttributionJob.Fetching fetching(FetchPolicy policy, Duration deadline, int maxBytes) {
    return new AttributionJob.Fetching(
        policy,
        deadline,
        maxBytes,
        4,
        Duration.ofMillis(20),
        Duration.ofMillis(100),
        Duration.ZERO);
  }

  static ContentFetcher open(AttributionJob.Fetching fetching, HostResolver resolver) {
    ContentFetcher f = new ContentFetcher(fetching, resolver);
    f.open(DefaultOpenContext.INSTANCE);
    return f;
  }

  private ContentFetcher underRoot() {
    fetcher =
        open(
            fetching(FetchPolicy.of("file", dir.toString(), "", 0), Duration.ofSeconds(2), 1024),
            HostResolver.system());
    return fetcher;
  }

  static ChainInput contribution(String uri, String hash) {
    return new ChainInput(
        ChainInput.Kind.CONTRIBUTION,
        false,
        1337,
        5,
        "0xb5",
        0,
        "0xt5",
        1_700_000_005L,
        "0xb5:0",
        1,
        1,
        "0xc1",
        null,
        false,
        hash,
        uri,
        0,
        0,
        0,
        null,
        null,
        null,
        null,
        null);
  }

  /** The record the fetcher completes {@code in} with (fails the test if none comes in 10 s). */
  static ChainInput fetch(ContentFetcher fetcher, ChainInput in) throws Exception {
    Captured captured = new Captured();
    fetcher.asyncInvoke(in, captured);
    return captured.get().get(10, TimeUnit.SECONDS);
  }

  /** A {@link ResultFuture} whose single record can be awaited. */
  static final class Captured implements ResultFuture<ChainInput> {
    final CompletableFuture<ChainInput> future = new CompletableFuture<>();

    CompletableFuture<ChainInput> get() {
      return future;
    }

    @Override
    public void complete(Collection<ChainInput> result) {
      future.complete(result.iterator().next());
    }

    @Override
    public void completeExceptionally(Throwable error) {
      future.completeExceptionally(error);
    }

    @Override
    public void complete(CollectionSupplier<ChainInput> supplier) {
      try {
        complete(supplier.get());
      } catch (Exception e) {
        future.completeExceptionally(e);
      }
    }
  }

  private Path file(String name, byte[] bytes) throws Exception {
    return Files.write(dir.resolve(name), bytes);
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String uri(Path p) {
    return p.toUri().toString();
  }

  @Test
  void shouldSetTheContentWhenAFileUnderTheRootMatchesItsCommitment() throws Exception {
    byte[] bytes = utf8("Fortune favours the bold. — ünïcødé");
    Path file = file("good.txt", bytes);

    ChainInput out = fetch(underRoot(), contribution(uri(file), Keccak.hex(bytes)));

    assertThat(out.failure()).isNull();
    assertThat(out.content()).isEqualTo("Fortune favours the bold. — ünïcødé");
    assertThat(out.eventId()).isEqualTo("0xb5:0");
  }

  @Test
  void shouldAcceptTheCommitmentInUppercaseHex() throws Exception {
    byte[] bytes = utf8("Look before you leap.");
    Path file = file("upper.txt", bytes);
    String upper = "0x" + Keccak.hex(bytes).substring(2).toUpperCase();

    assertThat(fetch(underRoot(), contribution(uri(file), upper)).content())
        .isEqualTo("Look before you leap.");
  }

  @Test
  void shouldFailWhenTheContentDoesNotMatchItsCommitment() throws Exception {
    Path file = file("tampered.txt", utf8("The early bird catches the worm."));
    String committed = Keccak.hex(utf8("The early bird catches the word."));

    ChainInput out = fetch(underRoot(), contribution(uri(file), committed));

    assertThat(out.content()).isNull();
    assertThat(out.failure())
        .contains("content hash mismatch")
        .contains(uri(file))
        .contains(committed)
        .contains(Keccak.hex(utf8("The early bird catches the worm.")));
  }

  @Test
  void shouldDenyEveryFileWhenNoContentRootIsConfigured() throws Exception {
    Path file = file("good.txt", utf8("fine words"));
    fetcher =
        open(
            fetching(FetchPolicy.production(), Duration.ofSeconds(2), 1024), HostResolver.system());

    assertThat(fetch(fetcher, contribution(uri(file), Keccak.hex(utf8("fine words")))).failure())
        .isEqualTo("uri denied by fetch policy: scheme 'file' not allowed");
    assertThat(fetch(fetcher, contribution("file:///etc/passwd", "0x00")).failure())
        .isEqualTo("uri denied by fetch policy: scheme 'file' not allowed");
  }

  @Test
  void shouldRejectDevZeroFastWithoutReadingItWhenItIsOutsideTheRoot() throws Exception {
    long started = System.nanoTime();

    ChainInput out = fetch(underRoot(), contribution("file:///dev/zero", "0x00"));

    assertThat(out.failure()).isEqualTo("uri denied by fetch policy: path not allowed");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void shouldDenyEtcPasswdWithTheSameReasonAsAPathThatDoesNotExist() throws Exception {
    ContentFetcher f = underRoot();

    String passwd = fetch(f, contribution("file:///etc/passwd", "0x00")).failure();
    String nowhere = fetch(f, contribution("file:///nonexistent/nowhere.txt", "0x00")).failure();
    String missingUnderRoot =
        fetch(f, contribution(uri(dir.resolve("missing.txt")), "0x00")).failure();

    assertThat(passwd).isEqualTo("uri denied by fetch policy: path not allowed");
    assertThat(nowhere).isEqualTo(passwd);
    assertThat(missingUnderRoot).isEqualTo(passwd);
  }

  @Test
  void shouldDenyASymlinkUnderTheRootThatPointsOutside() throws Exception {
    Path toPasswd = Files.createSymbolicLink(dir.resolve("passwd.txt"), Path.of("/etc/passwd"));
    Path toZero = Files.createSymbolicLink(dir.resolve("zero.txt"), Path.of("/dev/zero"));
    ContentFetcher f = underRoot();

    assertThat(fetch(f, contribution(uri(toPasswd), "0x00")).failure())
        .isEqualTo("uri denied by fetch policy: path not allowed");
    assertThat(fetch(f, contribution(uri(toZero), "0x00")).failure())
        .isEqualTo("uri denied by fetch policy: path not allowed");
  }

  @Test
  void shouldFollowASymlinkThatStaysUnderTheRoot() throws Exception {
    byte[] bytes = utf8("A rolling stone gathers no moss.");
    Path target = file("target.txt", bytes);
    Path link = Files.createSymbolicLink(dir.resolve("link.txt"), target);

    assertThat(fetch(underRoot(), contribution(uri(link), Keccak.hex(bytes))).content())
        .isEqualTo("A rolling stone gathers no moss.");
  }

  @Test
  void shouldDenyAFolderOrAPathThatClimbsOutOfTheRoot() throws Exception {
    Files.createDirectories(dir.resolve("sub"));
    ContentFetcher f = underRoot();

    assertThat(fetch(f, contribution(uri(dir.resolve("sub")), "0x00")).failure())
        .isEqualTo("uri denied by fetch policy: path not allowed");
    assertThat(fetch(f, contribution(uri(dir) + "sub/../../../etc/passwd", "0x00")).failure())
        .isEqualTo("uri denied by fetch policy: path not allowed");
  }

  @Test
  void shouldFailWhenTheBytesAreNotUtf8() throws Exception {
    byte[] bytes = {(byte) 0xff, (byte) 0xfe, 'h', 'i'};
    Path file = file("binary.bin", bytes);

    ChainInput out = fetch(underRoot(), contribution(uri(file), Keccak.hex(bytes)));

    assertThat(out.content()).isNull();
    assertThat(out.failure()).contains("not UTF-8");
  }

  @Test
  void shouldFailWhenTheContentIsBlank() throws Exception {
    byte[] bytes = utf8("  \n\t ");
    Path file = file("blank.txt", bytes);

    assertThat(fetch(underRoot(), contribution(uri(file), Keccak.hex(bytes))).failure())
        .contains("is empty");
  }

  @Test
  void shouldRejectAFileLargerThanTheLimitWhileReadingIt() throws Exception {
    byte[] bytes = utf8("x".repeat(1025));
    Path file = file("large.txt", bytes);

    assertThat(fetch(underRoot(), contribution(uri(file), Keccak.hex(bytes))).failure())
        .isEqualTo("content over 1024 bytes");
  }

  @Test
  void shouldNameTheSchemeWhenItIsNotAllowed() throws Exception {
    ChainInput out = fetch(underRoot(), contribution("ftp://example.org/c.txt", "0x00"));

    assertThat(out.content()).isNull();
    assertThat(out.failure()).isEqualTo("uri denied by fetch policy: scheme 'ftp' not allowed");
  }

  @Test
  void shouldDenyWhenTheUriIsNotAUri() throws Exception {
    assertThat(fetch(underRoot(), contribution("not a uri", "0x00")).failure())
        .isEqualTo("uri denied by fetch policy: malformed uri");
  }

  @Test
  void shouldRetryNotRejectWhenTheContentRootIsMissing() throws Exception {
    Path root = dir.resolve("not-yet");
    fetcher =
        open(
            fetching(FetchPolicy.of("file", root.toString(), "", 0), Duration.ofSeconds(2), 1024),
            HostResolver.system());
    byte[] bytes = utf8("Patience is a virtue.");

    Captured captured = new Captured();
    fetcher.asyncInvoke(contribution(uri(root.resolve("p.txt")), Keccak.hex(bytes)), captured);
    Thread.sleep(300);
    assertThat(captured.get()).isNotDone();
    assertThat(fetcher.waiting()).isEqualTo(1);
    Path staging = Files.createDirectories(dir.resolve("staging"));
    Files.write(staging.resolve("p.txt"), bytes);
    Files.move(
        staging, root, java.nio.file.StandardCopyOption.ATOMIC_MOVE); // root and file at once

    assertThat(captured.get().get(10, TimeUnit.SECONDS).content())
        .isEqualTo("Patience is a virtue.");
    assertThat(fetcher.waiting()).isZero();
    assertThat(fetcher.retries()).isPositive();
  }

  @Test
  void shouldPassRecordsThatNeedNoContentStraightThrough() throws Exception {
    ChainInput seal =
        new ChainInput(
            ChainInput.Kind.SEAL,
            false,
            1337,
            5,
            "0xb5",
            -1,
            null,
            0,
            "0xb5:seal",
            0,
            0,
            null,
            null,
            false,
            null,
            null,
            0,
            0,
            0,
            null,
            null,
            null,
            null,
            null);

    assertThat(fetch(underRoot(), seal)).isSameAs(seal);
  }

  @Test
  void shouldTravelToTheTaskManagersWithItsPolicyWhenFlinkSerializesIt() throws Exception {
    ContentFetcher original =
        new ContentFetcher(
            fetching(
                FetchPolicy.of("file,https", dir.toString(), "10.0.0.0/8,content.test", 2),
                Duration.ofSeconds(2),
                1024));
    byte[] bytes = org.apache.flink.util.InstantiationUtil.serializeObject(original);
    fetcher =
        org.apache.flink.util.InstantiationUtil.deserializeObject(
            bytes, getClass().getClassLoader());
    fetcher.open(DefaultOpenContext.INSTANCE);
    byte[] content = utf8("Still waters run deep.");
    Path file = file("deep.txt", content);

    assertThat(fetch(fetcher, contribution(uri(file), Keccak.hex(content))).content())
        .isEqualTo("Still waters run deep.");
  }
}
