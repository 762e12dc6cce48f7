"""pytest plugin: kafka-python's own integration tests against a running Samsa cluster.

Loaded with `-p samsa_kafka_python` from the root of the python-kafka source tree. Their
conftest.py stays as it is; this plugin replaces the two factories it calls,
ZookeeperFixture.instance and KafkaFixture.instance, so that instead of spawning a Kafka
distribution they hand out the brokers of the cluster the compat runner started (SAMSA_BROKERS,
"id@host:port,..."; SAMSA_SASL_BROKERS: the same brokers' SASL_PLAINTEXT listeners, for the tests
that ask their factory for transport SASL_PLAINTEXT with PLAIN or SCRAM-SHA-256/512, logged in as
their fixture's user alice). Topic creation keeps their own code paths (Metadata auto-creation and
the CreateTopics API, sent to the controller); their kafka-topics CLI fallbacks go to the
CreateTopics/Metadata APIs.

Each test's outcome is appended as one JSON line to SAMSA_COMPAT_RESULTS.
"""
import json
import os

import pytest

from kafka import KafkaAdminClient
from kafka import errors as kafka_errors
from kafka.admin import NewTopic

import test.fixtures as their_fixtures


SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


def _brokers(variable="SAMSA_BROKERS"):
    spec = os.environ[variable]
    out = []
    for item in spec.split(","):
        broker_id, address = item.split("@")
        host, port = address.rsplit(":", 1)
        out.append((int(broker_id), host, int(port)))
    return out


class SamsaZooKeeper(object):
    """Stands where their ZookeeperFixture stood: the cluster's ZooKeeper, already running."""

    def __init__(self):
        connect = os.environ["SAMSA_ZOOKEEPER"]
        address = connect.split("/", 1)[0]
        self.host, port = address.rsplit(":", 1)
        self.port = int(port)

    def close(self):
        pass


class _NoChild(object):
    """Their fixture's spawned process; the broker's own log is kept by the compat runner."""

    def dump_logs(self):
        pass


class SamsaBroker(their_fixtures.KafkaFixture):
    """One Samsa broker in place of a spawned Kafka: their client helpers, our process."""

    def open(self):
        if self.running:
            return
        self.child = _NoChild()
        (self._client,) = self.get_clients(1, client_id="_internal_client")
        self.running = True

    def stop(self):
        if self._client is not None:
            self._client.close()
            self._client = None
        self.running = False

    def close(self):
        self.stop()

    def dump_logs(self):
        pass

    def _create_topic_via_admin_api(self, topic_name, num_partitions, replication_factor, timeout_ms=10000):
        # Their fixture sends CreateTopics to any broker: its one broker is always the controller.
        # Of our three any may be, and the others answer NOT_CONTROLLER as Kafka's do, so the
        # admin client (which finds the controller) sends the same request.
        admin = KafkaAdminClient(**self._enrich_client_params({}, client_id="_internal_admin"))
        try:
            response = admin.create_topics([NewTopic(topic_name, num_partitions, replication_factor)], timeout_ms=timeout_ms)
        finally:
            admin.close()
        for topic_result in response.topic_errors:
            if topic_result[1] != 0:
                raise kafka_errors.for_code(topic_result[1])

    def _create_topic_via_cli(self, topic_name, num_partitions, replication_factor):
        self._create_topic_via_admin_api(topic_name, num_partitions, replication_factor)

    def get_topic_names(self):
        admin = KafkaAdminClient(**self._enrich_client_params({}, client_id="_internal_admin"))
        try:
            return admin.list_topics()
        finally:
            admin.close()


def _zookeeper_instance(cls=None):
    return SamsaZooKeeper()


def _kafka_instance(broker_index, zookeeper, zk_chroot=None, host=None, port=None,
                    transport="PLAINTEXT", replicas=1, partitions=2,
                    sasl_mechanism=None, auto_create_topic=True, tmp_dir=None):
    if transport == "PLAINTEXT" and sasl_mechanism is None:
        brokers = _brokers()
    elif transport == "SASL_PLAINTEXT" and sasl_mechanism is not None and sasl_mechanism.upper() in SASL_MECHANISMS:
        brokers = _brokers("SAMSA_SASL_BROKERS")
    else:
        pytest.fail("the Samsa compat cluster has PLAINTEXT and SASL_PLAINTEXT (%s) listeners: this test asks for %s"
                    " with SASL mechanism %s" % ("/".join(SASL_MECHANISMS), transport, sasl_mechanism), pytrace=False)
    if broker_index >= len(brokers):
        pytest.fail("the test wants %d brokers; the Samsa cluster has %d" % (broker_index + 1, len(brokers)), pytrace=False)
    broker_id, broker_host, broker_port = brokers[broker_index]
    want = int(os.environ["SAMSA_NUM_PARTITIONS"])
    if auto_create_topic and partitions != want:
        pytest.fail("the test wants auto-created topics with %d partitions; the Samsa cluster makes %d"
                    % (partitions, want), pytrace=False)
    fixture = SamsaBroker(broker_host, broker_port, broker_id, zookeeper, zk_chroot or "",
                          replicas=replicas, partitions=partitions, transport=transport,
                          sasl_mechanism=sasl_mechanism, auto_create_topic=auto_create_topic,
                          tmp_dir=tmp_dir)
    fixture.open()
    return fixture


def pytest_configure(config):
    their_fixtures.ZookeeperFixture.instance = classmethod(_zookeeper_instance)
    their_fixtures.KafkaFixture.instance = staticmethod(_kafka_instance)


def _reason(report):
    if hasattr(report, "wasxfail"):
        return "expected to fail (xfail): %s" % report.wasxfail
    if report.passed:
        return ""
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return crash.message
    return str(report.longrepr).strip().splitlines()[-1] if report.longrepr else ""


_seen = {}


def pytest_runtest_logreport(report):
    """One result per test: the first phase that did not pass decides, else the call."""
    state = _seen.setdefault(report.nodeid, {"outcome": None, "seconds": 0.0, "reason": ""})
    state["seconds"] += report.duration
    if state["outcome"] in ("failed", "skipped"):
        return
    if report.failed:
        state["outcome"] = "failed"
        state["reason"] = ("error in %s: " % report.when if report.when != "call" else "") + _reason(report)
    elif report.skipped:
        state["outcome"] = "skipped"
        state["reason"] = _reason(report)
    elif report.when == "call":
        state["outcome"] = "passed"


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("SAMSA_COMPAT_RESULTS")
    if not path:
        return
    with open(path, "w") as out:
        for nodeid, state in _seen.items():
            out.write(json.dumps({"name": nodeid, "outcome": state["outcome"] or "failed",
                                  "seconds": round(state["seconds"], 3),
                                  "reason": state["reason"]}) + "\n")
