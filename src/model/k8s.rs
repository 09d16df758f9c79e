//! Kubernetes kinds: only what the mesh needs (the rest of a pod spec is left to Kubernetes).

use crate::load::yaml::{Document, NodeId};
use crate::model::node::{FromNode, IntOrString, Map, Raw, Spanned};
use crate::node_struct;
use thin_vec::ThinVec;

type S = Spanned<String>;

node_struct! {
    pub struct Namespace {}
}

node_struct! {
    pub struct Service {
        "spec" => spec: ServiceSpec,
    }
}

node_struct! {
    pub struct ServiceSpec {
        "type" => service_type: Option<S>,
        "selector" => selector: Option<Map<S>>,
        "ports" => ports: ThinVec<K8sServicePort>,
        "clusterIP" => cluster_ip: Option<S>,
        "externalName" => external_name: Option<Box<S>>,
    }
}

node_struct! {
    pub struct K8sServicePort {
        "name" => name: Option<S>,
        "port" => port: Option<Spanned<u32>>,
        "targetPort" => target_port: Option<Spanned<IntOrString>>,
        "protocol" => protocol: Option<S>,
        "appProtocol" => app_protocol: Option<S>,
        "nodePort" => node_port: Option<Spanned<u32>>,
    }
}

node_struct! {
    pub struct ServiceAccount {}
}

node_struct! {
    pub struct ConfigMap {
        "data" => data: Map<S>,
    }
}

node_struct! {
    /// Metadata only: secret values are never read into the model; `data` and `stringData` keep
    /// their keys (`tls.crt`, `tls.key`, `ca.crt`), where each value is written, whether it is
    /// empty, and for a certificate key whether the certificate parses and when it is valid
    /// (`model::cert`).
    pub struct Secret {
        "type" => secret_type: Option<S>,
        "data" => data: Map<crate::model::cert::DataValue>,
        "stringData" => string_data: Map<crate::model::cert::StringDataValue>,
    }
}

impl Secret {
    /// Whether the Secret has `key` in `data` or `stringData`.
    pub fn has_key(&self, key: &str) -> bool {
        self.data.contains_key(key) || self.string_data.contains_key(key)
    }

    /// The value of `key` (`stringData` wins, as the API server merges it over `data`).
    pub fn value(&self, key: &str) -> Option<&crate::model::cert::SecretValue> {
        self.string_data
            .get(key)
            .map(|v| &v.0)
            .or_else(|| self.data.get(key).map(|v| &v.0))
    }
}

node_struct! {
    pub struct PodSpec {
        "serviceAccountName" => service_account_name: Option<S>,
        "serviceAccount" => service_account: Option<Box<S>>,
        "containers" => containers: ThinVec<Container>,
        "initContainers" => init_containers: ThinVec<Container>,
        "hostNetwork" => host_network: Option<bool>,
        "securityContext" => security_context: Option<SecurityContext>,
    }
}

node_struct! {
    /// A pod's or a container's `securityContext`: only what the mesh needs.
    pub struct SecurityContext {
        "runAsUser" => run_as_user: Option<Spanned<i64>>,
    }
}

node_struct! {
    pub struct Container {
        "name" => name: Option<S>,
        "image" => image: Option<S>,
        "ports" => ports: ThinVec<ContainerPort>,
        "securityContext" => security_context: Option<SecurityContext>,
        "env" => env: ThinVec<EnvVar>,
    }
}

node_struct! {
    /// A container's environment variable: its literal `value`, or where `valueFrom` reads it.
    pub struct EnvVar {
        "name" => name: Option<S>,
        "value" => value: Option<S>,
        "valueFrom" => value_from: Option<Raw>,
    }
}

node_struct! {
    pub struct ContainerPort {
        "name" => name: Option<S>,
        "containerPort" => container_port: Option<Spanned<u32>>,
        "protocol" => protocol: Option<S>,
    }
}

node_struct! {
    pub struct LabelSelector {
        "matchLabels" => match_labels: Map<S>,
        "matchExpressions" => match_expressions: ThinVec<LabelSelectorRequirement>,
    }
}

node_struct! {
    /// One `matchExpressions` entry: `key`, `operator` (`In`, `NotIn`, `Exists`, `DoesNotExist`)
    /// and `values`.
    pub struct LabelSelectorRequirement {
        "key" => key: Option<S>,
        "operator" => operator: Option<S>,
        "values" => values: ThinVec<S>,
    }
}

impl LabelSelector {
    /// Whether labels (looked up by `get`) satisfy the selector, as Kubernetes decides: every
    /// `matchLabels` pair and every expression holds. An expression with an unknown operator
    /// matches nothing (Kubernetes rejects the selector).
    pub fn matches<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| get(k) == Some(v.value.as_str()))
            && self.match_expressions.iter().all(|e| {
                let Some(key) = e.key.as_ref() else {
                    return false;
                };
                let value = get(&key.value);
                let listed = |v: &str| e.values.iter().any(|x| x.value == v);
                match e.operator.as_ref().map(|o| o.value.as_str()) {
                    Some("In") => value.is_some_and(listed),
                    Some("NotIn") => !value.is_some_and(listed),
                    Some("Exists") => value.is_some(),
                    Some("DoesNotExist") => value.is_none(),
                    _ => false,
                }
            })
    }
}

/// A pod template from any kind that runs pods (Pod, Deployment, StatefulSet, DaemonSet,
/// ReplicaSet, Job, CronJob), normalised so the index treats them alike.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workload {
    /// Labels of the pods (the template's, or the Pod's own).
    pub pod_labels: Map<S>,
    pub pod_annotations: Map<S>,
    pub spec: PodSpec,
    /// The controller's `spec.selector` (absent for a Pod).
    pub selector: Option<LabelSelector>,
    pub replicas: Option<Spanned<i64>>,
    /// Where the pod template (or the Pod) is written.
    pub template_at: Option<crate::source::Loc>,
}

impl Workload {
    pub fn service_account(&self) -> &str {
        self.spec
            .service_account_name
            .as_ref()
            .or(self.spec.service_account.as_deref())
            .map_or("default", |s| s.value.as_str())
    }

    /// Reads the workload from an object root of the given kind.
    pub fn from_object(doc: &Document, root: NodeId, kind: &str) -> Workload {
        let spec = doc.get(root, "spec");
        let (template_meta, pod_spec, template_node) = match kind {
            "Pod" => (doc.get(root, "metadata"), spec, Some(root)),
            "CronJob" => {
                let t = spec
                    .and_then(|s| doc.get(s, "jobTemplate"))
                    .and_then(|j| doc.get(j, "spec"))
                    .and_then(|s| doc.get(s, "template"));
                (
                    t.and_then(|t| doc.get(t, "metadata")),
                    t.and_then(|t| doc.get(t, "spec")),
                    t,
                )
            }
            _ => {
                let t = spec.and_then(|s| doc.get(s, "template"));
                (
                    t.and_then(|t| doc.get(t, "metadata")),
                    t.and_then(|t| doc.get(t, "spec")),
                    t,
                )
            }
        };
        let map_at = |m: Option<NodeId>, key: &str| {
            m.and_then(|m| doc.get_entry(m, key))
                .and_then(|(k, v)| Map::<S>::from_node(doc, v, Some(k)))
                .unwrap_or_default()
        };
        Workload {
            pod_labels: map_at(template_meta, "labels"),
            pod_annotations: map_at(template_meta, "annotations"),
            spec: pod_spec
                .and_then(|s| PodSpec::from_node(doc, s, None))
                .unwrap_or_default(),
            selector: if kind == "Pod" {
                None
            } else {
                spec.and_then(|s| doc.get(s, "selector"))
                    .and_then(|s| LabelSelector::from_node(doc, s, None))
            },
            replicas: spec
                .and_then(|s| doc.get(s, "replicas"))
                .and_then(|r| Spanned::<i64>::from_node(doc, r, None)),
            template_at: template_node.map(|t| crate::model::node::loc(doc, t)),
        }
    }
}

node_struct! {
    /// A `MutatingWebhookConfiguration` or `ValidatingWebhookConfiguration` (the object root).
    pub struct WebhookConfiguration {
        "webhooks" => webhooks: ThinVec<Webhook>,
    }
}

node_struct! {
    pub struct Webhook {
        "name" => name: Option<S>,
        "clientConfig" => client_config: Option<WebhookClientConfig>,
        "namespaceSelector" => namespace_selector: Option<LabelSelector>,
        "objectSelector" => object_selector: Option<LabelSelector>,
    }
}

node_struct! {
    pub struct WebhookClientConfig {
        "url" => url: Option<S>,
        "service" => service: Option<WebhookService>,
    }
}

node_struct! {
    pub struct WebhookService {
        "name" => name: Option<S>,
        "namespace" => namespace: Option<S>,
        "path" => path: Option<S>,
        "port" => port: Option<Spanned<u32>>,
    }
}
