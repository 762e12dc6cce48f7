"""A kafka-python consumer-group member for the interop tests.

Usage: python3 python-member.py BOOTSTRAP GROUP TOPIC NAME
Prints every record as `partition|offset|value` on stdout and every rebalance as
`ASSIGNED p,p,...` / `REVOKED p,p,...` on stderr. SIGTERM closes the consumer cleanly
(auto commit, then LeaveGroup).
"""
import signal
import sys

from kafka import KafkaConsumer
from kafka.consumer.subscription_state import ConsumerRebalanceListener

bootstrap, group, topic, name = sys.argv[1:5]
running = True


def on_term(_signum, _frame):
    global running
    running = False


signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)


class Listener(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        parts = sorted(tp.partition for tp in revoked)
        print('REVOKED ' + ','.join(str(p) for p in parts), file=sys.stderr, flush=True)

    def on_partitions_assigned(self, assigned):
        parts = sorted(tp.partition for tp in assigned)
        print('ASSIGNED ' + ','.join(str(p) for p in parts), file=sys.stderr, flush=True)


consumer = KafkaConsumer(
    bootstrap_servers=bootstrap.split(','),
    group_id=group,
    client_id=name,
    auto_offset_reset='earliest',
    enable_auto_commit=True,
    auto_commit_interval_ms=200,
    session_timeout_ms=6000,
    heartbeat_interval_ms=300,
)
consumer.subscribe([topic], listener=Listener())
try:
    while running:
        polled = consumer.poll(timeout_ms=200)
        for tp, records in polled.items():
            for r in records:
                sys.stdout.write('%d|%d|%s\n' % (r.partition, r.offset, r.value.decode('utf-8')))
        sys.stdout.flush()
finally:
    consumer.close()
