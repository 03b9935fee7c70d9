-- Which models bring in the most fees? Paid inferences and fees (wei) per model, highest first.
SELECT model_id, inferences, fees_wei
FROM openledger.model_usage
ORDER BY fees_wei DESC, model_id;
