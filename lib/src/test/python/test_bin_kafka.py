"""bin/kafka runs a real Apache Kafka broker from the Maven Central jars (make kafka-jars): start, topic, produce with
Kafka's own console producer, offsets survive a restart, stop; a port taken by someone else is a clear refusal.

Runs on free ports with its own data folder (FOSM_KAFKA_HOME), so a broker started by `make kafka-up` is untouched.
"""
import os
import socket
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
KAFKA = os.path.join(ROOT, "bin", "kafka")
LIB = os.path.join(ROOT, ".cache", "kafka", "lib")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(env, *args, check=True, stdin=None):
    return subprocess.run([KAFKA, *args], env=env, check=check, capture_output=True, text=True, input=stdin,
                          timeout=180)


def _offsets(env, topic):
    port = env["FOSM_KAFKA_PORT"]
    out = subprocess.run(["java", "-cp", LIB + "/*", "kafka.tools.GetOffsetShell", "--bootstrap-server",
                          "127.0.0.1:" + port, "--topic", topic], check=True, capture_output=True, text=True,
                         timeout=120).stdout
    return {int(line.split(":")[1]): int(line.split(":")[2]) for line in out.split() if line.startswith(topic + ":")}


def test_start_topic_produce_restart_stop(tmp_path):
    assert os.path.isfile(os.path.join(LIB, ".installed")), "run 'make kafka-jars' (make test does)"
    env = dict(os.environ, FOSM_KAFKA_HOME=str(tmp_path / "kafka"), FOSM_KAFKA_PORT=str(_free_port()),
               FOSM_KAFKA_CONTROLLER_PORT=str(_free_port()), FOSM_KAFKA_HEAP="256m")
    try:
        up = _run(env, "start")
        assert "kafka up" in up.stdout, up.stdout + up.stderr
        assert _run(env, "status").returncode == 0
        assert "already running" in _run(env, "start").stdout
        _run(env, "topic", "t1", "3")
        bootstrap = _run(env, "bootstrap").stdout.strip()
        assert bootstrap == "127.0.0.1:" + env["FOSM_KAFKA_PORT"]
        # Kafka's own console producer: the broker takes real client traffic on the advertised address
        subprocess.run(["java", "-cp", LIB + "/*", "kafka.tools.ConsoleProducer", "--bootstrap-server", bootstrap,
                        "--topic", "t1"], input="a\nb\nc\nd\n", text=True, check=True, capture_output=True,
                       timeout=120)
        assert sum(_offsets(env, "t1").values()) == 4
        assert len(_offsets(env, "t1")) == 3
        listed = _run(env, "topics").stdout
        assert "Topic: t1" in listed and "PartitionCount: 3" in listed

        assert "kafka stopped" in _run(env, "stop").stdout
        assert _run(env, "status", check=False).returncode == 3
        # data survive a restart (storage is formatted once)
        _run(env, "start")
        assert sum(_offsets(env, "t1").values()) == 4
    finally:
        _run(env, "stop", check=False)
    assert _run(env, "status", check=False).returncode == 3


def test_refuses_a_port_it_does_not_own(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        env = dict(os.environ, FOSM_KAFKA_HOME=str(tmp_path / "kafka"), FOSM_KAFKA_PORT=str(taken.getsockname()[1]),
                   FOSM_KAFKA_CONTROLLER_PORT=str(_free_port()))
        r = _run(env, "start", check=False)
        assert r.returncode == 1
        assert "Cannot start kafka: 127.0.0.1:%s" % env["FOSM_KAFKA_PORT"] in r.stderr
        assert "already in use" in r.stderr
    assert not os.path.exists(tmp_path / "kafka" / "server.pid")


def test_topic_arguments_are_checked(tmp_path):
    env = dict(os.environ, FOSM_KAFKA_HOME=str(tmp_path / "kafka"), FOSM_KAFKA_PORT=str(_free_port()),
               FOSM_KAFKA_CONTROLLER_PORT=str(_free_port()))
    r = _run(env, "topic", "x", "zero", check=False)
    assert r.returncode == 1
    assert "partitions must be a positive integer, cannot be: zero" in r.stderr
    r = _run(env, "topic", "x", check=False)
    assert "Cannot create topic x: kafka is not running" in r.stderr
    assert _run(env, "nonsense", check=False).returncode == 2
