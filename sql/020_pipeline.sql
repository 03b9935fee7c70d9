-- The pipeline's own records: attribution results, slash proposals, accruals, batches, their
-- Merkle leaves and the dead letters, loaded from their topics. Same identity and idempotency rules
-- as 010_chain_events.sql: a natural key per record, the Kafka offset as the version.

-- AttributionResult: which contributions influenced one paid inference, with exact integer weights (arrays parallel, in rank order).
CREATE TABLE IF NOT EXISTS openledger.attribution_results
(
    chain_id UInt64,
    block_number UInt64,
    block_hash String,
    block_time DateTime,
    tx_hash String,
    log_index Int32,
    removed UInt8,
    inference_id UInt64,
    model_id UInt64,
    encoder_id String,
    encoder_version String,
    params_version UInt64,
    unattributed UInt8,
    contribution_ids Array(UInt64),
    contributors Array(String),
    ranks Array(UInt32),
    score_ppm Array(UInt32),
    weights Array(UInt64),
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, inference_id, block_hash);

-- SlashProposal: a contribution the attribution job flagged: a duplicate of an earlier one
-- (reason_code 1) or low-quality content (2; detail names the rule and its measure).
CREATE TABLE IF NOT EXISTS openledger.slash_proposals
(
    chain_id UInt64,
    block_number UInt64,
    block_hash String,
    block_time DateTime,
    tx_hash String,
    log_index Int32,
    removed UInt8,
    contribution_id UInt64,
    datanet_id UInt64,
    contributor String,
    duplicate_of UInt64,
    similarity_ppm UInt32,
    duplicate_bound_ppm UInt32,
    params_version UInt64,
    encoder_id String,
    reason_code Int32 DEFAULT 1,
    detail String DEFAULT '',
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, contribution_id, block_hash);

-- PayoutAccrual: what one payee earned from one inference in one role (one row per Merkle leaf).
CREATE TABLE IF NOT EXISTS openledger.payout_accruals
(
    chain_id UInt64,
    block_number UInt64,
    block_hash String,
    block_time DateTime,
    tx_hash String,
    log_index Int32,
    removed UInt8,
    inference_id UInt64,
    model_id UInt64,
    payee String,
    role Enum8('CONTRIBUTOR' = 0, 'MODEL_OWNER' = 1, 'PROTOCOL' = 2),
    contribution_id UInt64,
    unattributed UInt8,
    amount_wei Decimal(38, 0),
    params_version UInt64,
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, inference_id, role, contribution_id, unattributed, payee, block_hash);

-- PayoutBatch: one settlement transaction's worth of payouts for a closed block window.
CREATE TABLE IF NOT EXISTS openledger.payout_batches
(
    batch_id String,
    chain_id UInt64,
    window_start UInt64,
    window_end UInt64,
    sub_batch UInt32,
    sub_batch_count UInt32,
    payees Array(String),
    amounts_wei Array(Decimal(38, 0)),
    total_wei Decimal(38, 0),
    merkle_root String,
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (batch_id);

-- PayoutBatchLeaf: one Merkle leaf of a batch (docs/PAYMENTS.md gives its encoding).
CREATE TABLE IF NOT EXISTS openledger.payout_batch_leaves
(
    batch_id String,
    payee String,
    inference_id UInt64,
    role Enum8('CONTRIBUTOR' = 0, 'MODEL_OWNER' = 1, 'PROTOCOL' = 2),
    contribution_id UInt64,
    unattributed UInt8,
    amount_wei Decimal(38, 0),
    leaf_hash String,
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (batch_id, leaf_hash);

-- DeadLetter: input a stage could not use, with the reason and the original bytes (hex). Keyed by
-- what was rejected (stage and source record, or chain position), not by the letter's own offset:
-- the settlement writer and the loader publish at least once, so a crash may write a letter twice.
CREATE TABLE IF NOT EXISTS openledger.dead_letters
(
    stage String,
    reason String,
    source_topic String,
    source_partition Int32,
    source_offset Int64,
    key_hex String,
    value_hex String,
    chain_id UInt64,
    block_number UInt64,
    block_hash String,
    log_index Int32,
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (stage, source_topic, source_partition, source_offset, chain_id, block_hash, log_index, key_hex);
