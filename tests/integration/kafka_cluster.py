"""A real Apache Kafka 4.4 cluster on loopback for the Kafka journal's tests
(and bench/kafka_journal_bench.py): three KRaft nodes, each broker and
controller, on free 127.0.0.1 ports, small heaps, stopped by PID.

The broker jars come from Maven Central once (tests/integration/kafka/pom.xml,
`mvn dependency:copy-dependencies`) into a cache dir: $INPLAY_KAFKA_CACHE, or
build/kafka under the repository (CI rebuilds it from the pom when absent).
Java 17 and maven are needed: outside CI a missing one skips, under CI=true it
fails (conftest.require_tool).

Topics are created with TopicCommand (kafka-tools): replication factor 3,
min.insync.replicas 2, one partition (the journal uses partition 0).
"""
import base64
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid

KAFKA_VERSION = "4.4.0"
HERE = os.path.dirname(os.path.abspath(__file__))
POM = os.path.join(HERE, "kafka", "pom.xml")
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
HEAP = os.environ.get("INPLAY_KAFKA_HEAP", "384m")


def cache_dir():
    return os.environ.get("INPLAY_KAFKA_CACHE", os.path.join(REPO, "build", "kafka"))


def broker_jars(mvn="mvn"):
    """The directory of the broker's jars, fetched with maven when absent."""
    lib = os.path.join(cache_dir(), f"lib-{KAFKA_VERSION}")
    done = os.path.join(lib, ".complete")
    if os.path.exists(done):
        return lib
    tmp = lib + f".tmp{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    r = subprocess.run([mvn, "-q", "-B", "-f", POM, "dependency:copy-dependencies",
                        "-DincludeScope=runtime", f"-DoutputDirectory={tmp}"],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"maven could not fetch the Kafka jars:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    open(os.path.join(tmp, ".complete"), "w").close()
    shutil.rmtree(lib, ignore_errors=True)
    os.rename(tmp, lib)
    return lib


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


SERVER_PROPERTIES = """process.roles=broker,controller
node.id={node}
controller.quorum.voters={voters}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={data}
num.partitions=1
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
unclean.leader.election.enable=false
offsets.topic.num.partitions=6
transaction.state.log.num.partitions=6
group.initial.rebalance.delay.ms=0
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=3000
controlled.shutdown.enable=false
auto.create.topics.enable=false
"""


class KafkaCluster:
    def __init__(self, workdir, java="java", mvn="mvn", nodes=3):
        self.workdir = str(workdir)
        self.java = java
        self.lib = broker_jars(mvn)
        self.n = nodes
        self.ports = [free_port() for _ in range(nodes)]
        self.cports = [free_port() for _ in range(nodes)]
        self.procs = [None] * nodes
        # 22 chars of URL-safe base64; may start with '-' (hence --cluster-id=).
        self.cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        voters = ",".join(f"{i + 1}@127.0.0.1:{self.cports[i]}" for i in range(nodes))
        self.props = []
        for i in range(nodes):
            d = os.path.join(self.workdir, f"node{i + 1}")
            os.makedirs(d, exist_ok=True)
            p = os.path.join(d, "server.properties")
            with open(p, "w") as f:
                f.write(SERVER_PROPERTIES.format(node=i + 1, voters=voters, port=self.ports[i],
                                                 cport=self.cports[i], data=os.path.join(d, "data")))
            self.props.append(p)

    @property
    def bootstrap(self):
        return ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def _java(self, *args, heap="128m"):
        return [self.java, f"-Xmx{heap}", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", os.path.join(self.lib, "*"), *args]

    def start(self, timeout=90):
        formats = [subprocess.Popen(self._java("kafka.tools.StorageTool", "format", f"--cluster-id={self.cluster_id}",
                                               "-c", p, "--ignore-formatted"),
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                   for p in self.props]
        for f in formats:
            out = f.communicate(timeout=120)[0]
            if f.returncode != 0:
                raise RuntimeError(f"kafka storage format failed: {out[-2000:]}")
        for i in range(self.n):
            self.start_node(i)
        deadline = time.time() + timeout
        while not all(port_open(p) for p in self.ports):
            self._check_alive()
            if time.time() > deadline:
                raise RuntimeError("kafka brokers never listened")
            time.sleep(0.2)
        return self

    def start_node(self, i):
        log = open(os.path.join(self.workdir, f"node{i + 1}", "broker.log"), "ab")
        self.procs[i] = subprocess.Popen(
            [self.java, f"-Xmx{HEAP}", f"-Xms{HEAP}", "-XX:+UseG1GC", "-cp", os.path.join(self.lib, "*"),
             "kafka.Kafka", self.props[i]],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def _check_alive(self):
        for i, p in enumerate(self.procs):
            if p is not None and p.poll() is not None:
                tail = open(os.path.join(self.workdir, f"node{i + 1}", "broker.log"), errors="replace").read()[-3000:]
                raise RuntimeError(f"kafka node {i + 1} exited {p.returncode}: {tail}")

    def create_topic(self, topic, timeout=60):
        """One partition, RF 3, min.insync.replicas 2; retried while the
        brokers are still registering."""
        deadline = time.time() + timeout
        while True:
            r = subprocess.run(self._java("org.apache.kafka.tools.TopicCommand", "--bootstrap-server", self.bootstrap,
                                          "--create", "--topic", topic, "--partitions", "1",
                                          "--replication-factor", "3", "--config", "min.insync.replicas=2"),
                               capture_output=True, text=True, timeout=120)
            if r.returncode == 0:
                return topic
            if time.time() > deadline:
                raise RuntimeError(f"topic {topic} not created: {r.stdout[-2000:]} {r.stderr[-2000:]}")
            self._check_alive()
            time.sleep(0.5)

    def kill_node(self, i):
        p = self.procs[i]
        if p is not None and p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        self.procs[i] = None

    def stop(self):
        for i in range(self.n):
            self.kill_node(i)
