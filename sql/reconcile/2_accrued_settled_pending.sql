-- Per block range: accrued = settled + pending. Settled: the leaves of batches paid on chain, matched
-- to their accruals; pending: accruals no settled batch has paid yet.
SELECT 'accrued = settled + pending' AS check_name,
       toUInt64(bucket * {step}) AS range_start, toUInt64(bucket * {step} + {step} - 1) AS range_end,
       accrued AS expected_wei, settled + pending AS actual_wei
FROM
(
    SELECT intDiv(block_number, {step}) AS bucket, sum(amount_wei) AS accrued
    FROM openledger.accruals
    WHERE block_number >= {from} AND block_number <= {to}
    GROUP BY bucket
) AS a
ANY LEFT JOIN
(
    SELECT bucket, settled, pending
    FROM
    (
        SELECT intDiv(block_number, {step}) AS bucket, sum(leaf_wei) AS settled
        FROM
        (
            SELECT inference_id, role, contribution_id, payee, unattributed, amount_wei AS leaf_wei
            FROM openledger.payout_batch_leaves FINAL
            WHERE batch_id IN (SELECT batch_id FROM openledger.batch_settled FINAL WHERE removed = 0)
        ) AS leaf
        ALL INNER JOIN
        (
            SELECT inference_id, role, contribution_id, payee, unattributed, block_number
            FROM openledger.accruals
            LIMIT 1 BY inference_id, role, contribution_id, payee, unattributed
        ) AS acc USING (inference_id, role, contribution_id, payee, unattributed)
        WHERE block_number >= {from} AND block_number <= {to}
        GROUP BY bucket
    ) AS s
    ALL FULL JOIN
    (
        SELECT intDiv(block_number, {step}) AS bucket, sum(amount_wei) AS pending
        FROM openledger.accruals
        WHERE block_number >= {from} AND block_number <= {to}
          AND (inference_id, role, contribution_id, payee, unattributed) NOT IN
            (
                SELECT inference_id, role, contribution_id, payee, unattributed
                FROM openledger.payout_batch_leaves FINAL
                WHERE batch_id IN (SELECT batch_id FROM openledger.batch_settled FINAL WHERE removed = 0)
            )
        GROUP BY bucket
    ) AS p USING (bucket)
) AS sp USING (bucket)
ORDER BY range_start
