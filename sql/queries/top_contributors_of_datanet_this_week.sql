-- Who are the top contributors of Datanet 1 this week? Their accrued earnings (wei) from inferences
-- in blocks of the current week (from Monday, UTC), highest first. Change the Datanet id.
SELECT contributor, accruals, earned_wei
FROM
(
    SELECT payee AS contributor, contribution_id, count() AS accruals, sum(amount_wei) AS earned_wei
    FROM openledger.accruals
    WHERE role = 'CONTRIBUTOR' AND toMonday(block_time) = toMonday(now())
    GROUP BY contributor, contribution_id
) AS l
ALL INNER JOIN
(
    SELECT contribution_id, datanet_id
    FROM openledger.data_contributed FINAL
    WHERE removed = 0 AND datanet_id = 1
    LIMIT 1 BY contribution_id
) AS r USING (contribution_id)
ORDER BY earned_wei DESC, contributor;
