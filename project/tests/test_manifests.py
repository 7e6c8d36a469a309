"""deploy/k8s: what the Deployment promises its operators (scripts/k8s-validate checks them against the
Kubernetes API's schemas)."""

import ipaddress
import runpy
import unittest
from pathlib import Path

import yaml

from project.tests.base import ROOT

K8S = ROOT / "deploy" / "k8s"


def resources(name: str) -> list[dict]:
    return list(yaml.safe_load_all((K8S / name).read_text()))


class TestDeployment(unittest.TestCase):
    def setUp(self) -> None:
        [self.deployment] = resources("deployment.yaml")
        [self.container] = self.deployment["spec"]["template"]["spec"]["containers"]

    def test_every_file_is_in_the_kustomization(self):
        [kustomization] = resources("kustomization.yaml")
        files = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
        self.assertEqual(set(kustomization["resources"]), files)

    def test_two_replicas_at_least_and_none_unavailable_while_rolling(self):
        spec = self.deployment["spec"]
        self.assertGreaterEqual(spec["replicas"], 2)
        self.assertEqual(spec["strategy"]["rollingUpdate"]["maxUnavailable"], 0)
        [hpa], [pdb] = resources("hpa.yaml"), resources("pdb.yaml")
        self.assertGreaterEqual(hpa["spec"]["minReplicas"], 2)
        self.assertEqual(hpa["apiVersion"], "autoscaling/v2")
        self.assertEqual(pdb["spec"]["minAvailable"], 1)

    def test_probes_ask_readiness_liveness_and_start_as_a_trusted_host(self):
        probes = {name: self.container[f"{name}Probe"]["httpGet"] for name in ("startup", "readiness", "liveness")}
        self.assertEqual(
            {name: probe["path"] for name, probe in probes.items()},
            {"startup": "/ping", "readiness": "/ready", "liveness": "/ping"},
        )
        for probe in probes.values():
            self.assertEqual(probe["httpHeaders"], [{"name": "Host", "value": "localhost"}])

    def test_stopping_outlasts_gunicorns_graceful_timeout(self):
        graceful = runpy.run_path(str(Path(ROOT / "gunicorn.conf.py")))["graceful_timeout"]
        pre_stop = int(self.container["lifecycle"]["preStop"]["exec"]["command"][-1])
        self.assertGreater(
            self.deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"], pre_stop + graceful
        )

    def test_locked_down(self):
        pod = self.deployment["spec"]["template"]["spec"]["securityContext"]
        self.assertEqual((pod["runAsNonRoot"], pod["runAsUser"]), (True, 10001))
        container = self.container["securityContext"]
        self.assertEqual(
            (container["allowPrivilegeEscalation"], container["readOnlyRootFilesystem"], container["capabilities"]),
            (False, True, {"drop": ["ALL"]}),
        )
        self.assertEqual(set(self.container["resources"]), {"requests", "limits"})

    def test_the_replicas_stay_within_mysqls_default_connections(self):
        [config] = resources("configmap.yaml")
        [hpa] = resources("hpa.yaml")
        self.assertLessEqual(hpa["spec"]["maxReplicas"] * int(config["data"]["DATABASE_MAX_CONNECTIONS"]), 151 - 10)


class TestTheEdge(unittest.TestCase):
    def test_only_the_ingress_controller_reaches_the_port_and_its_forwarded_headers_are_believed(self):
        [policy], [deployment], [configmap] = (
            resources(name) for name in ("networkpolicy.yaml", "deployment.yaml", "configmap.yaml")
        )
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        self.assertEqual(policy["spec"]["podSelector"]["matchLabels"].items() - labels.items(), set())
        rule, metrics = policy["spec"]["ingress"]
        self.assertEqual(rule["ports"], [{"port": 5000, "protocol": "TCP"}])
        [source] = rule["from"]
        self.assertEqual(source["podSelector"]["matchLabels"]["app.kubernetes.io/component"], "controller")
        self.assertEqual(str(ipaddress.ip_network(configmap["data"]["TRUSTED_PROXIES"])), "10.244.0.0/16")
        self.assertEqual(metrics, PROMETHEUS_ONLY)


# The one way into a pod's metrics port: Prometheus' pods, in the namespace monitoring.
PROMETHEUS_ONLY = {
    "from": [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
        }
    ],
    "ports": [{"port": 9200, "protocol": "TCP"}],
}


class TestMetrics(unittest.TestCase):
    def test_each_pod_says_where_its_metrics_are_and_serves_them_there(self):
        [configmap] = resources("configmap.yaml")
        self.assertEqual(configmap["data"]["METRICS_BIND"], "0.0.0.0:9200")
        for name in ("deployment.yaml", "mail-worker.yaml"):
            template = resources(name)[0]["spec"]["template"]
            [container] = template["spec"]["containers"]
            with self.subTest(name):
                annotations = template["metadata"]["annotations"]
                self.assertEqual(
                    annotations,
                    {"prometheus.io/scrape": "true", "prometheus.io/port": "9200", "prometheus.io/path": "/metrics"},
                )
                self.assertIn({"name": "metrics", "containerPort": 9200}, container["ports"])

    def test_prometheus_in_the_cluster_names_the_jobs_the_alerts_ask_for(self):
        config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "kubernetes.yml").read_text())
        [job] = config["scrape_configs"]
        relabeled = {rule["replacement"] for rule in job["relabel_configs"] if rule.get("target_label") == "job"}
        self.assertEqual(relabeled, {"users-service", "users-mail-worker"})
        alerts = (ROOT / "deploy" / "prometheus" / "alerts.yml").read_text()
        self.assertIn('job="users-service"', alerts)
        self.assertIn('job="users-mail-worker"', alerts)
        kept = {rule["source_labels"][0] for rule in job["relabel_configs"] if rule.get("action") == "keep"}
        self.assertIn("__meta_kubernetes_pod_annotation_prometheus_io_scrape", kept)


class TestMailWorker(unittest.TestCase):
    def setUp(self) -> None:
        [self.deployment, self.policy] = resources("mail-worker.yaml")
        [self.service] = resources("deployment.yaml")
        [self.container] = self.deployment["spec"]["template"]["spec"]["containers"]

    def test_it_delivers_mail_from_the_services_image_and_settings(self):
        [service] = self.service["spec"]["template"]["spec"]["containers"]
        self.assertEqual(self.container["command"], ["python", "manage.py", "deliver_mail"])
        self.assertEqual((self.container["image"], self.container["envFrom"]), (service["image"], service["envFrom"]))
        self.assertEqual(
            self.deployment["spec"]["template"]["spec"]["securityContext"],
            self.service["spec"]["template"]["spec"]["securityContext"],
        )
        self.assertEqual(self.container["securityContext"], service["securityContext"])

    def test_the_links_address_and_the_relay_are_set_and_its_password_is_secret(self):
        [configmap], [secret] = resources("configmap.yaml"), resources("secret.yaml")
        self.assertTrue(configmap["data"]["PUBLIC_URL"].startswith("https://"))
        self.assertTrue(configmap["data"]["MAIL_SERVER"])
        self.assertIn("MAIL_PASSWORD", secret["stringData"])
        self.assertNotIn("MAIL_PASSWORD", configmap["data"])

    def test_prometheus_alone_reaches_it_and_it_reaches_dns_the_database_and_smtp_alone(self):
        labels = self.deployment["spec"]["template"]["metadata"]["labels"]
        spec = self.policy["spec"]
        self.assertEqual(spec["podSelector"]["matchLabels"].items() - labels.items(), set())
        self.assertEqual((spec["policyTypes"], spec["ingress"]), (["Ingress", "Egress"], [PROMETHEUS_ONLY]))
        ports = {(port["port"], port["protocol"]) for rule in spec["egress"] for port in rule["ports"]}
        self.assertEqual(ports, {(53, "UDP"), (53, "TCP"), (3306, "TCP"), (587, "TCP"), (465, "TCP"), (25, "TCP")})
        self.assertTrue(all(set(rule) == {"ports"} for rule in spec["egress"]))  # to any address: the relay's is yours
