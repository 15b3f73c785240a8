"""When the drift DAG retrains: the flag file's cases, one by one (pure; no Airflow run)."""
from __future__ import annotations

import json

import pytest
from fosm_airflow import HANDLED_FILE, retrain_decision, submit_exit_code
from airflow.sdk.exceptions import AirflowFailException


def flag(tmp_path, **fields):
    path = tmp_path / "flag.json"
    path.write_text(json.dumps({"drifted": True, "consecutive_drifted_windows": 3,
                                "report_json": "/lake/_drift/reports/r-0003.json", **fields}))
    return path


def test_no_flag_yet_means_no_retrain(tmp_path):
    retrain, reason = retrain_decision(tmp_path / "flag.json", 3)
    assert not retrain
    assert "no drift flag" in reason


def test_drift_that_persisted_long_enough_retrains(tmp_path):
    assert retrain_decision(flag(tmp_path), 3)[0]
    assert retrain_decision(flag(tmp_path, consecutive_drifted_windows=7), 3)[0]


def test_too_few_drifted_windows_or_no_drift_do_not_retrain(tmp_path):
    assert not retrain_decision(flag(tmp_path, consecutive_drifted_windows=2), 3)[0]
    retrain, reason = retrain_decision(flag(tmp_path, drifted=False, consecutive_drifted_windows=0), 1)
    assert not retrain
    assert "drifted=False" in reason


def test_a_report_that_already_triggered_a_retrain_does_not_trigger_another(tmp_path):
    path = flag(tmp_path)
    (tmp_path / HANDLED_FILE).write_text(json.dumps({"flag": "/lake/_drift/reports/r-0003.json", "run_id": "r1"}))
    retrain, reason = retrain_decision(path, 3)
    assert not retrain
    assert "already triggered" in reason and "r1" in reason
    # a later report of the same drift episode does
    assert retrain_decision(flag(tmp_path, consecutive_drifted_windows=4,
                                 report_json="/lake/_drift/reports/r-0004.json"), 3)[0]
    # a damaged marker never blocks a retrain
    (tmp_path / HANDLED_FILE).write_text("{not json")
    assert retrain_decision(path, 3)[0]


@pytest.mark.parametrize("content,message", [
    ("{not json", "Cannot parse the drift flag"),
    ("[1, 2]", "expected a JSON object"),
    (json.dumps({"drifted": "yes", "consecutive_drifted_windows": 3}), "key 'drifted' must be a bool"),
    (json.dumps({"drifted": True}), "key 'consecutive_drifted_windows' must be a int, got None"),
    (json.dumps({"drifted": True, "consecutive_drifted_windows": True}), "'consecutive_drifted_windows'"),
])
def test_a_malformed_flag_fails_naming_the_file_and_key(tmp_path, content, message):
    path = tmp_path / "flag.json"
    path.write_text(content)
    with pytest.raises(AirflowFailException, match=message) as e:
        retrain_decision(path, 3)
    assert str(path) in str(e.value)


def test_threshold_must_be_positive(tmp_path):
    with pytest.raises(AirflowFailException, match="at least 1, cannot be: 0"):
        retrain_decision(flag(tmp_path), 0)


def test_exit_code_is_read_from_the_process_else_from_the_message():
    class Proc:
        returncode = 2

    class Hook:
        _submit_sp = Proc()

    assert submit_exit_code(Hook(), RuntimeError("whatever")) == 2
    assert submit_exit_code(None, RuntimeError("Cannot execute: spark-submit ... Error code is: 3.")) == 3
    assert submit_exit_code(None, RuntimeError("no code here")) is None
