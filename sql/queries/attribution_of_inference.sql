-- Why did inference 1 pay whom it paid? Its attribution (contributions, ranks, scores, weights)
-- and the accruals its fee became. Change the inference id in both places.
SELECT inference_id, model_id, params_version, unattributed, contribution_ids, contributors, ranks,
       score_ppm, weights
FROM openledger.attribution_results FINAL
WHERE removed = 0 AND inference_id = 1;

SELECT payee, role, contribution_id, unattributed, amount_wei
FROM openledger.accruals
WHERE inference_id = 1
ORDER BY role, contribution_id, payee;
