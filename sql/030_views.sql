-- Views analysts read instead of the base tables: each reads through FINAL and drops retracted
-- rows, so a reload, a replay or a reorg never changes an answer. Plain views, not materialized
-- ones: on 18.16 a reloaded block would be counted twice by an insert-time aggregate.
-- Inner joins are ALL INNER JOIN against a right side with one row per key (the table's key through
-- FINAL, or LIMIT 1 BY): a current server's ANY INNER JOIN also keeps one row per left key, 18.16's
-- kept every left row (sql/README.md, "Two engines").

-- The live accruals: what each payee earned from each inference, retractions applied.
CREATE VIEW IF NOT EXISTS openledger.accruals AS
SELECT chain_id, block_number, block_time, inference_id, model_id, payee, role, contribution_id,
       unattributed, amount_wei, params_version
FROM openledger.payout_accruals FINAL
WHERE removed = 0;

-- The live paid inferences.
CREATE VIEW IF NOT EXISTS openledger.fees AS
SELECT chain_id, block_number, block_time, inference_id, model_id, payer, fee_wei
FROM openledger.inference_paid FINAL
WHERE removed = 0;

-- Contributor earnings per day (accrued, by the day of the inference's block).
CREATE VIEW IF NOT EXISTS openledger.contributor_earnings_daily AS
SELECT toDate(block_time) AS day, payee AS contributor, count() AS accruals, sum(amount_wei) AS earned_wei
FROM openledger.payout_accruals FINAL
WHERE removed = 0 AND role = 'CONTRIBUTOR'
GROUP BY day, contributor;

-- Model usage: paid inferences and fees per model.
CREATE VIEW IF NOT EXISTS openledger.model_usage AS
SELECT model_id, count() AS inferences, sum(fee_wei) AS fees_wei, min(block_number) AS first_block,
       max(block_number) AS last_block
FROM openledger.inference_paid FINAL
WHERE removed = 0
GROUP BY model_id;

-- Datanet revenue: what the contributions of each Datanet earned.
CREATE VIEW IF NOT EXISTS openledger.datanet_revenue AS
SELECT datanet_id, count() AS accruals, sum(amount_wei) AS earned_wei
FROM
(
    SELECT contribution_id, amount_wei
    FROM openledger.payout_accruals FINAL
    WHERE removed = 0 AND role = 'CONTRIBUTOR'
) AS l
ALL INNER JOIN
(
    SELECT contribution_id, datanet_id
    FROM openledger.data_contributed FINAL
    WHERE removed = 0
    LIMIT 1 BY contribution_id
) AS r USING (contribution_id)
GROUP BY datanet_id;

-- Settlement status of every batch the payment job emitted: settled on chain or still pending.
CREATE VIEW IF NOT EXISTS openledger.settlement_status AS
SELECT batch_id, window_start, window_end, sub_batch, total_wei, length(payees) AS payees,
       settled_block, settled_block > 0 AS settled
FROM
(
    SELECT batch_id, window_start, window_end, sub_batch, total_wei, payees
    FROM openledger.payout_batches FINAL
) AS l
ANY LEFT JOIN
(
    SELECT batch_id, block_number AS settled_block
    FROM openledger.batch_settled FINAL
    WHERE removed = 0
) AS r USING (batch_id);

-- Dead letters per day and stage (by when they were written): how much input each stage could
-- not use, and in how many distinct ways.
CREATE VIEW IF NOT EXISTS openledger.dead_letter_rates AS
SELECT toDate(toDateTime(intDiv(_timestamp_ms, 1000))) AS day, stage, count() AS dead_letters,
       uniqExact(reason) AS reasons
FROM openledger.dead_letters FINAL
GROUP BY day, stage;

-- Attribution latency per day and model, in milliseconds, two ways: from the inference's decoded
-- event appearing on Kafka to its result appearing (the pipeline's own latency, record append
-- times on both sides), and from the inference's block timestamp to its result (what a payer
-- waits; block timestamps have whole seconds and follow the chain's clock, which a dev node's
-- evm_increaseTime moves). Only results whose inference event is loaded are counted.
CREATE VIEW IF NOT EXISTS openledger.attribution_latency AS
SELECT toDate(block_time) AS day, model_id, count() AS results,
       quantileExact(0.5)(pipeline_ms) AS pipeline_p50_ms,
       quantileExact(0.99)(pipeline_ms) AS pipeline_p99_ms,
       max(pipeline_ms) AS pipeline_max_ms,
       quantileExact(0.5)(from_block_ms) AS from_block_p50_ms,
       quantileExact(0.99)(from_block_ms) AS from_block_p99_ms
FROM
(
    SELECT block_time, model_id, toInt64(result_ms) - toInt64(event_ms) AS pipeline_ms,
           toInt64(result_ms) - toInt64(toUInt32(block_time)) * 1000 AS from_block_ms
    FROM
    (
        SELECT chain_id, block_hash, log_index, block_time, model_id, _timestamp_ms AS result_ms
        FROM openledger.attribution_results FINAL
        WHERE removed = 0
    ) AS l
    ALL INNER JOIN
    (
        SELECT chain_id, block_hash, log_index, _timestamp_ms AS event_ms
        FROM openledger.inference_paid FINAL
        WHERE removed = 0
    ) AS r USING (chain_id, block_hash, log_index)
)
GROUP BY day, model_id;

-- Duplicates flagged by the attribution job per Datanet, next to its contributions.
CREATE VIEW IF NOT EXISTS openledger.duplicate_rates AS
SELECT datanet_id, contributions, duplicates
FROM
(
    SELECT datanet_id, count() AS contributions
    FROM openledger.data_contributed FINAL
    WHERE removed = 0
    GROUP BY datanet_id
) AS l
ANY LEFT JOIN
(
    SELECT datanet_id, count() AS duplicates
    FROM openledger.slash_proposals FINAL
    WHERE removed = 0 AND reason_code = 1
    GROUP BY datanet_id
) AS r USING (datanet_id);

-- Each on-chain flag and its outcome so far (docs/SECURITY.md, "Slashing on chain"): disputed by
-- the contributor or not, then cleared or slashed (stake to the treasury) by governance. A flag
-- neither cleared nor slashed freezes the stake until expires_at_block.
CREATE VIEW IF NOT EXISTS openledger.flag_outcomes AS
SELECT contribution_id, datanet_id, contributor, reason_code, flagged_block, expires_at_block,
       disputes > 0 AS disputed, clears > 0 AS cleared, slashed_wei
FROM
(
    SELECT contribution_id, datanet_id, contributor, reason_code, flagged_block, expires_at_block,
           disputes, clears
    FROM
    (
        SELECT contribution_id, datanet_id, contributor, reason_code, flagged_block,
               expires_at_block, disputes
        FROM
        (
            SELECT contribution_id, datanet_id, contributor, reason_code,
                   block_number AS flagged_block, expires_at_block
            FROM openledger.contribution_flagged FINAL
            WHERE removed = 0
        ) AS f
        ANY LEFT JOIN
        (
            SELECT contribution_id, count() AS disputes
            FROM openledger.flag_disputed FINAL
            WHERE removed = 0
            GROUP BY contribution_id
        ) AS d USING (contribution_id)
    ) AS fd
    ANY LEFT JOIN
    (
        SELECT contribution_id, count() AS clears
        FROM openledger.flag_cleared FINAL
        WHERE removed = 0
        GROUP BY contribution_id
    ) AS c USING (contribution_id)
) AS fdc
ANY LEFT JOIN
(
    SELECT contribution_id, sum(amount_wei) AS slashed_wei
    FROM openledger.stake_slashed FINAL
    WHERE removed = 0
    GROUP BY contribution_id
) AS s USING (contribution_id);

-- Stake slashed per contributor (what the balances API shows as slashedStakeWei).
CREATE VIEW IF NOT EXISTS openledger.slashed_stake AS
SELECT contributor, count() AS slashes, sum(amount_wei) AS slashed_wei
FROM openledger.stake_slashed FINAL
WHERE removed = 0
GROUP BY contributor;

-- Each batch id's state on chain (optimistic settlement, docs/PAYMENTS.md), from its events: the
-- latest by chain position (block, log index) wins. 'proposed' (challengeable up to and including
-- challenge_deadline, finalizable after it), 'challenged' (frozen until governance resolves it),
-- 'voided' (challenge upheld: the fees stay escrowed and the id may be proposed again; a later
-- BatchProposed starts it over), 'rejected' (challenge rejected: finalizable at once), 'settled'
-- (paid; at most once per id). challenge_deadline is the latest proposal's (0: settled without
-- one, by the earlier settle), proposals how often the id was proposed.
CREATE VIEW IF NOT EXISTS openledger.batch_states AS
SELECT chain_id, batch_id, argMax(state, at) AS state, max(block_number) AS state_block,
       argMax(challenge_deadline, proposal_at) AS challenge_deadline, sum(proposal) AS proposals
FROM
(
    SELECT chain_id, batch_id, block_number, (block_number, log_index) AS at, 'proposed' AS state,
           challenge_deadline, toUInt8(1) AS proposal, (block_number, log_index) AS proposal_at
    FROM openledger.batch_proposed FINAL
    WHERE removed = 0
    UNION ALL
    SELECT chain_id, batch_id, block_number, (block_number, log_index) AS at, 'challenged' AS state,
           toUInt64(0) AS challenge_deadline, toUInt8(0) AS proposal,
           (toUInt64(0), toInt32(-1)) AS proposal_at
    FROM openledger.batch_challenged FINAL
    WHERE removed = 0
    UNION ALL
    SELECT chain_id, batch_id, block_number, (block_number, log_index) AS at,
           if(upheld = 1, 'voided', 'rejected') AS state, toUInt64(0) AS challenge_deadline,
           toUInt8(0) AS proposal, (toUInt64(0), toInt32(-1)) AS proposal_at
    FROM openledger.batch_resolved FINAL
    WHERE removed = 0
    UNION ALL
    SELECT chain_id, batch_id, block_number, (block_number, log_index) AS at, 'settled' AS state,
           toUInt64(0) AS challenge_deadline, toUInt8(0) AS proposal,
           (toUInt64(0), toInt32(-1)) AS proposal_at
    FROM openledger.batch_settled FINAL
    WHERE removed = 0
) AS e
GROUP BY chain_id, batch_id;
