-- Why was an address paid what it was paid in a batch? Each accrual (Merkle leaf) the batch paid it,
-- the inference that earned it, and the batch's root. Change the address (and add a batch id to
-- narrow it); `bin/openledger verify --payee ADDR` checks the same leaves against the chain.
SELECT batch_id, window_start, window_end, merkle_root, inference_id, role, contribution_id,
       unattributed, amount_wei, leaf_hash
FROM
(
    SELECT batch_id, inference_id, role, contribution_id, unattributed, amount_wei, leaf_hash
    FROM openledger.payout_batch_leaves FINAL
    WHERE payee = '0x976ea74026e726554db657fa54763abd0c3a0aa9'
) AS l
ALL INNER JOIN
(
    SELECT batch_id, window_start, window_end, merkle_root
    FROM openledger.payout_batches FINAL
) AS r USING (batch_id)
ORDER BY window_start, inference_id, role, contribution_id;
