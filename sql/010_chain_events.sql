-- The chain's typed events, one table per event type, loaded from the chain.* topics.
--
-- Identity and idempotency: a row is keyed by its event id (chain_id, block_hash, log_index) and
-- versioned by the Kafka offset it was loaded from (_offset). Loading a record twice writes the
-- same key and version (collapsed by ReplacingMergeTree); a reorg's compensating record (same
-- key, removed = 1, a later offset) replaces the original. Read with FINAL and removed = 0, as
-- the views in 030_views.sql do. Runs unchanged on ClickHouse 18.16 and current servers.
--
-- _timestamp_ms is the Kafka record's timestamp (ms since the epoch): the broker's append time on
-- the topics the project creates (LogAppendTime), i.e. when the record became visible downstream.
-- It is the record's own, so a reload writes the same value; latencies are measured from it.
-- (UInt64 milliseconds, not DateTime64: 18.16 has no DateTime64.)

-- DatanetCreated: a Datanet and its minimum stake.
CREATE TABLE IF NOT EXISTS openledger.datanet_created
(
    chain_id UInt64,
    block_number UInt64,
    block_hash String,
    block_time DateTime,
    tx_hash String,
    log_index Int32,
    removed UInt8,
    datanet_id UInt64,
    owner String,
    name String,
    min_stake_wei Decimal(38, 0),
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- CuratorSet: a curator enabled or disabled on a Datanet.
CREATE TABLE IF NOT EXISTS openledger.curator_set
(
    chain_id UInt64,
    block_number UInt64,
    block_hash String,
    block_time DateTime,
    tx_hash String,
    log_index Int32,
    removed UInt8,
    datanet_id UInt64,
    curator String,
    enabled UInt8,
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- DataContributed: a contribution, its content commitment and its stake.
CREATE TABLE IF NOT EXISTS openledger.data_contributed
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
    content_hash String,
    content_uri String,
    stake_wei Decimal(38, 0),
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- ContributionReviewed: a curator's verdict on a contribution.
CREATE TABLE IF NOT EXISTS openledger.contribution_reviewed
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
    curator String,
    accepted UInt8,
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- StakeSlashed: a contribution's stake taken (it earns nothing from then on).
CREATE TABLE IF NOT EXISTS openledger.stake_slashed
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
    amount_wei Decimal(38, 0),
    reason_code Int32,
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- ContributionFlagged: the flagger froze a contribution's stake until governance slashes it or
-- clears the flag, or until expires_at_block (docs/SECURITY.md, "Slashing on chain").
CREATE TABLE IF NOT EXISTS openledger.contribution_flagged
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
    flagger String,
    reason_code Int32,
    expires_at_block UInt64,
    evidence String,
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- FlagDisputed: the contributor disputed an open flag; governance decides.
CREATE TABLE IF NOT EXISTS openledger.flag_disputed
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
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- FlagCleared: governance lifted a flag; the stake is free again.
CREATE TABLE IF NOT EXISTS openledger.flag_cleared
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
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- StakeWithdrawn: a contributor took a contribution's stake back.
CREATE TABLE IF NOT EXISTS openledger.stake_withdrawn
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
    amount_wei Decimal(38, 0),
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- ModelRegistered: a model, its owner, the Datanets it draws on, its method and encoder
-- (encoder_id '' = the pipeline's default encoder, attribution.encoder).
CREATE TABLE IF NOT EXISTS openledger.model_registered
(
    chain_id UInt64,
    block_number UInt64,
    block_hash String,
    block_time DateTime,
    tx_hash String,
    log_index Int32,
    removed UInt8,
    model_id UInt64,
    owner String,
    datanet_ids Array(UInt64),
    method String,
    name String,
    encoder_id String DEFAULT '',
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- ModelOwnerChanged: a model's owner share goes to a new address from this event on.
CREATE TABLE IF NOT EXISTS openledger.model_owner_changed
(
    chain_id UInt64,
    block_number UInt64,
    block_hash String,
    block_time DateTime,
    tx_hash String,
    log_index Int32,
    removed UInt8,
    model_id UInt64,
    previous_owner String,
    new_owner String,
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- InferencePaid: one paid inference; the fee is in escrow.
CREATE TABLE IF NOT EXISTS openledger.inference_paid
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
    payer String,
    fee_wei Decimal(38, 0),
    query_hash String,
    query_uri String,
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- ParamsChanged: a governance version of the protocol parameters, in force from its block. The share
-- rule (LINEAR, TOP1, POWER; docs/PAYMENTS.md) and its parameter are LINEAR/0 for rows loaded before
-- the contract had them.
CREATE TABLE IF NOT EXISTS openledger.params_changed
(
    chain_id UInt64,
    block_number UInt64,
    block_hash String,
    block_time DateTime,
    tx_hash String,
    log_index Int32,
    removed UInt8,
    version UInt64,
    contributor_bps UInt16,
    owner_bps UInt16,
    protocol_bps UInt16,
    top_k UInt16,
    similarity_threshold_ppm UInt32,
    duplicate_bound_ppm UInt32,
    min_payout_wei Decimal(38, 0),
    settlement_window_blocks UInt64,
    max_payees_per_batch UInt32,
    share_rule String DEFAULT 'LINEAR',
    share_rule_param UInt32 DEFAULT 0,
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- FeeEscrowed: a fee moved into the settlement escrow, and the escrow after it.
CREATE TABLE IF NOT EXISTS openledger.fee_escrowed
(
    chain_id UInt64,
    block_number UInt64,
    block_hash String,
    block_time DateTime,
    tx_hash String,
    log_index Int32,
    removed UInt8,
    amount_wei Decimal(38, 0),
    escrowed_wei Decimal(38, 0),
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- BatchSettled: a payout batch paid on chain (at most once per batch id).
CREATE TABLE IF NOT EXISTS openledger.batch_settled
(
    chain_id UInt64,
    block_number UInt64,
    block_hash String,
    block_time DateTime,
    tx_hash String,
    log_index Int32,
    removed UInt8,
    batch_id String,
    attribution_root String,
    total_wei Decimal(38, 0),
    payees Array(String),
    amounts_wei Array(Decimal(38, 0)),
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- BatchProposed: the settler proposed a payout batch (optimistic settlement, docs/PAYMENTS.md): it
-- pays at finalize unless challenged by challenge_deadline (a block). A voided batch id (challenge
-- upheld) may be proposed again: a later row of the same batch_id.
CREATE TABLE IF NOT EXISTS openledger.batch_proposed
(
    chain_id UInt64,
    block_number UInt64,
    block_hash String,
    block_time DateTime,
    tx_hash String,
    log_index Int32,
    removed UInt8,
    batch_id String,
    proposer String,
    window_start UInt64,
    window_end UInt64,
    sub_batch UInt32,
    sub_batch_count UInt32,
    attribution_root String,
    total_wei Decimal(38, 0),
    challenge_deadline UInt64,
    payees Array(String),
    amounts_wei Array(Decimal(38, 0)),
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- BatchChallenged: someone bonded a challenge against a proposed batch; it is frozen until resolved.
CREATE TABLE IF NOT EXISTS openledger.batch_challenged
(
    chain_id UInt64,
    block_number UInt64,
    block_hash String,
    block_time DateTime,
    tx_hash String,
    log_index Int32,
    removed UInt8,
    batch_id String,
    challenger String,
    bond_wei Decimal(38, 0),
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);

-- BatchResolved: governance decided a challenge. upheld = 1: the proposal is void (the id may be
-- proposed again); upheld = 0: rejected, the batch is finalizable at once.
CREATE TABLE IF NOT EXISTS openledger.batch_resolved
(
    chain_id UInt64,
    block_number UInt64,
    block_hash String,
    block_time DateTime,
    tx_hash String,
    log_index Int32,
    removed UInt8,
    batch_id String,
    upheld UInt8,
    bond_winner String,
    bond_paid_wei Decimal(38, 0),
    _partition UInt32,
    _offset UInt64,
    _timestamp_ms UInt64
)
ENGINE = ReplacingMergeTree(_offset)
ORDER BY (chain_id, block_hash, log_index);
