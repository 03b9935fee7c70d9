-- Per settled batch (its window): the total BatchSettled paid on chain = the batch the payment job
-- emitted = the sum of that batch's Merkle leaves.
SELECT check_name, toUInt64(window_start) AS range_start, toUInt64(window_end) AS range_end, expected_wei, actual_wei
FROM
(
    SELECT batch_id, 'BatchSettled total = emitted batch total' AS check_name,
           total_wei AS actual_wei
    FROM openledger.batch_settled FINAL
    WHERE removed = 0
) AS chain
ANY LEFT JOIN
(
    SELECT batch_id, window_start, window_end, total_wei AS expected_wei
    FROM openledger.payout_batches FINAL
    WHERE window_end >= {from} AND window_start <= {to}
) AS emitted USING (batch_id)
WHERE window_end >= {from} AND window_start <= {to}
UNION ALL
SELECT check_name, toUInt64(window_start) AS range_start, toUInt64(window_end) AS range_end, expected_wei, actual_wei
FROM
(
    SELECT batch_id, 'emitted batch total = sum of its leaves' AS check_name, window_start,
           window_end, total_wei AS expected_wei
    FROM openledger.payout_batches FINAL
    WHERE window_end >= {from} AND window_start <= {to}
) AS emitted
ANY LEFT JOIN
(
    SELECT batch_id, sum(amount_wei) AS actual_wei
    FROM openledger.payout_batch_leaves FINAL
    GROUP BY batch_id
) AS leaves USING (batch_id)
