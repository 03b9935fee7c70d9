"""The e2e report's view inside the jobs: Flink's histogram lines and the visibility rule."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import e2e  # noqa: E402

TEXT = """\
# TYPE flink_taskmanager_job_task_operator_inferenceSealWaitMs summary
flink_taskmanager_job_task_operator_inferenceSealWaitMs{job_name="p",operator_name="attribute_sealed",quantile="0.5",} 12.0
flink_taskmanager_job_task_operator_inferenceSealWaitMs{job_name="p",operator_name="attribute_sealed",quantile="0.99",} 250.0
flink_taskmanager_job_task_operator_inferenceSealWaitMs_count{job_name="p",operator_name="attribute_sealed",} 40.0
flink_taskmanager_job_task_operator_KafkaSourceReader_recordAgeAtReadMs{operator_name="chain_events",quantile="0.99",} 180.0
flink_taskmanager_job_task_operator_sealedFlushMs{operator_name="x",quantile="0.5",} NaN
"""


def test_should_read_quantiles_when_flink_exports_histograms():
    found = e2e.waits(TEXT)
    assert found["inferenceSealWaitMs"] == {"0.5": 12.0, "0.99": 250.0}
    assert found["recordAgeAtReadMs [chain_events]"] == {"0.99": 180.0}
    assert "sealedFlushMs" not in found


def test_should_count_visibility_at_first_checkpoint_after_append(tmp_path, capsys):
    samples = tmp_path / "samples.jsonl"
    cps = {"1": [1000, 1100, 0], "2": [2000, 2300, 0], "3": [3000, 3050, 0]}
    samples.write_text(json.dumps({"checkpoints": cps, "waits": {}}) + "\n")
    # appended at 1500 -> checkpoint 2 (acked 2300); appended at 2000 -> also 2; block seen at 900
    e2e.inside_jobs(str(samples), {7: 1500, 8: 2000}, {7: 900, 8: 900})
    out = capsys.readouterr().out
    assert "p50/p99: 1400 / 1400 ms (2 inferences)" in out
