-- Why did inference 1 pay whom it paid? Its attribution (contributions, ranks, scores, weights)
-- and the accruals its fee became. Change the inference id in both places. (Both read the base
-- tables: 18.16 does not push a WHERE into a view, so through the `accruals` view this point lookup
-- would scan every accrual; on the table the key finds it. See docs/BENCHMARKS.md.)
SELECT inference_id, model_id, params_version, unattributed, contribution_ids, contributors, ranks,
       score_ppm, weights
FROM openledger.attribution_results FINAL
WHERE removed = 0 AND inference_id = 1;

SELECT payee, role, contribution_id, unattributed, amount_wei
FROM openledger.payout_accruals FINAL
WHERE removed = 0 AND inference_id = 1
ORDER BY role, contribution_id, payee;
