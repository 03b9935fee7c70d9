-- What is each payee still owed? Accrued minus settled on chain, per payee (wei), largest first.
SELECT payee, accrued_wei, settled_wei, accrued_wei - settled_wei AS pending_wei
FROM
(
    SELECT payee, sum(amount_wei) AS accrued_wei
    FROM openledger.accruals
    GROUP BY payee
) AS l
ANY LEFT JOIN
(
    SELECT payee, sum(amount) AS settled_wei
    FROM openledger.batch_settled FINAL
    ARRAY JOIN payees AS payee, amounts_wei AS amount
    WHERE removed = 0
    GROUP BY payee
) AS r USING (payee)
ORDER BY pending_wei DESC, payee;
