package org.openledger.flink.attribution;

import org.openledger.flink.domain.ShareRule;

/**
 * One record of {@code chain.events} as the attribution job needs it: a flat, Flink-serializable
 * view of the typed event (fields that do not apply are zero or null), plus the fetched content of
 * contributions and queries once {@code ContentFetcher} has verified it.
 *
 * @param kind what the record is
 * @param eventId {@code <blockHash>:<logIndex>}, unique per event (seals: {@code <hash>:seal})
 * @param id the contribution, model, inference or Datanet id; the params version for PARAMS
 * @param address the contributor, or the model owner
 * @param datanetIds a model's Datanets
 * @param accepted a review's verdict
 * @param hash the on-chain content (or query) commitment, keccak-256
 * @param uri where the content (or query) is
 * @param shareRule a params version's share rule (null for other kinds, or when the record names a
 *     rule this build cannot apply: then {@code failure} says why)
 * @param method a model's attribution method ({@code EMBEDDING}, {@code PRECOMPUTED}, {@code SPAN};
 *     null for other kinds)
 * @param encoder a model's encoder as registered ("" for the pipeline's default; null for other
 *     kinds)
 * @param content verified UTF-8 content, set by the fetcher
 * @param failure why content could not be used, set by the fetcher; for PARAMS, why the record
 *     cannot be applied
 */
public record ChainInput(
    Kind kind,
    boolean removed,
    long chainId,
    long block,
    String blockHash,
    int logIndex,
    String txHash,
    long blockTimestamp,
    String eventId,
    long id,
    long datanetId,
    String address,
    long[] datanetIds,
    boolean accepted,
    String hash,
    String uri,
    int topK,
    long thresholdPpm,
    long duplicateBoundPpm,
    ShareRule shareRule,
    String method,
    String encoder,
    String content,
    String failure) {

  /** The kinds of record the job reads; OTHER events pass by. */
  public enum Kind {
    CONTRIBUTION,
    REVIEW,
    SLASH,
    WITHDRAW,
    MODEL,
    PARAMS,
    INFERENCE,
    SEAL,
    OTHER
  }

  public boolean needsContent() {
    return !removed && (kind == Kind.CONTRIBUTION || kind == Kind.INFERENCE);
  }

  public ChainInput withContent(String text) {
    return withFetched(text, null);
  }

  public ChainInput withFailure(String reason) {
    return withFetched(null, reason);
  }

  /** The same record with the fetcher's outcome: verified content or the reason there is none. */
  private ChainInput withFetched(String text, String reason) {
    return new ChainInput(
        kind,
        removed,
        chainId,
        block,
        blockHash,
        logIndex,
        txHash,
        blockTimestamp,
        eventId,
        id,
        datanetId,
        address,
        datanetIds,
        accepted,
        hash,
        uri,
        topK,
        thresholdPpm,
        duplicateBoundPpm,
        shareRule,
        method,
        encoder,
        text,
        reason);
  }
}
