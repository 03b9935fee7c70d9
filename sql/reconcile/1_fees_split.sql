-- Per block range: every fee paid is split to the wei, contributor + owner + protocol (accruals).
SELECT 'fees = contributor + owner + protocol' AS check_name,
       toUInt64(bucket * {step}) AS range_start, toUInt64(bucket * {step} + {step} - 1) AS range_end,
       fees AS expected_wei, accrued AS actual_wei
FROM
(
    SELECT intDiv(block_number, {step}) AS bucket, sum(fee_wei) AS fees
    FROM openledger.fees
    WHERE block_number >= {from} AND block_number <= {to}
    GROUP BY bucket
) AS l
ALL FULL JOIN
(
    SELECT intDiv(block_number, {step}) AS bucket, sum(amount_wei) AS accrued
    FROM openledger.accruals
    WHERE block_number >= {from} AND block_number <= {to}
    GROUP BY bucket
) AS r USING (bucket)
ORDER BY range_start
