//! Hand-written shapes of the Kubernetes kinds meshlint models and of the Gateway API kinds,
//! in the same table as the compiled Istio CRDs.
//!
//! Kubernetes' own fields follow the API reference (k8s.io/api, v1.33). Pod specs and containers
//! are left open: Kubernetes has hundreds of fields there and a false alarm is worse than a miss.
//! Gateway API objects follow the v1 spec (gateway.networking.k8s.io, v1.3); objects that gain
//! experimental fields from release to release are open.

use super::{
    ArrShape, Count, Group, IntOrStrShape, IntShape, NameRule, ObjShape, Prop, Shape, ShapeId,
    StrFormat, StrShape,
};

/// Appends shapes to the table.
pub struct Builder {
    pub shapes: Vec<Shape>,
}

const INT32: (i64, i64) = (i32::MIN as i64, i32::MAX as i64);

impl Builder {
    pub fn add(&mut self, shape: Shape) -> ShapeId {
        self.shapes.push(shape);
        (self.shapes.len() - 1) as ShapeId
    }
    fn any(&mut self) -> ShapeId {
        self.add(Shape::Any)
    }
    fn bool(&mut self) -> ShapeId {
        self.add(Shape::Bool)
    }
    fn str(&mut self) -> ShapeId {
        self.add(Shape::Str(StrShape::default()))
    }
    fn fmt(&mut self, format: StrFormat) -> ShapeId {
        self.add(Shape::Str(StrShape {
            format: Some(format),
            ..StrShape::default()
        }))
    }
    fn one_of(&mut self, values: &[&str]) -> ShapeId {
        self.add(Shape::Str(StrShape {
            values: values.iter().map(|v| v.to_string()).collect(),
            ..StrShape::default()
        }))
    }
    fn int(&mut self, min: i64, max: i64) -> ShapeId {
        self.add(Shape::Int(IntShape {
            cel: Vec::new(),
            min: Some(min),
            max: Some(max),
            port: false,
        }))
    }
    fn int32(&mut self) -> ShapeId {
        self.int(INT32.0, INT32.1)
    }
    fn nonneg32(&mut self) -> ShapeId {
        self.int(0, INT32.1)
    }
    fn int64(&mut self) -> ShapeId {
        self.add(Shape::Int(IntShape::default()))
    }
    fn port(&mut self) -> ShapeId {
        self.add(Shape::Int(IntShape {
            cel: Vec::new(),
            min: Some(1),
            max: Some(65535),
            port: true,
        }))
    }
    fn int_or_str(&mut self) -> ShapeId {
        self.add(Shape::IntOrStr(IntOrStrShape::default()))
    }
    fn list(&mut self, items: ShapeId) -> ShapeId {
        self.add(Shape::Arr(ArrShape {
            cel: Vec::new(),
            items,
            min: None,
            max: None,
            unique: Vec::new(),
            required_if_many: Vec::new(),
        }))
    }
    fn strings(&mut self) -> ShapeId {
        let s = self.str();
        self.list(s)
    }
    /// A map whose keys have a format.
    fn map_keyed(&mut self, keys: StrFormat, values: ShapeId) -> ShapeId {
        let keys = self.fmt(keys);
        self.add(Shape::Obj(ObjShape {
            values: Some(values),
            keys: Some(keys),
            ..ObjShape::default()
        }))
    }
    fn object(&mut self, props: &[(&str, ShapeId)], required: &[&str], open: bool) -> ShapeId {
        let mut props: Vec<Prop> = props
            .iter()
            .map(|&(n, s)| Prop {
                name: n.to_string(),
                shape: s,
                deprecated: None,
            })
            .collect();
        props.sort_by(|a, b| a.name.cmp(&b.name));
        let required = required.iter().map(|r| r.to_string()).collect();
        self.add(Shape::Obj(ObjShape {
            props,
            required,
            open,
            ..ObjShape::default()
        }))
    }
    /// An object whose other keys are unknown fields.
    fn closed(&mut self, props: &[(&str, ShapeId)], required: &[&str]) -> ShapeId {
        self.object(props, required, false)
    }
    /// An object whose listed keys are checked and other keys allowed.
    fn open(&mut self, props: &[(&str, ShapeId)], required: &[&str]) -> ShapeId {
        self.object(props, required, true)
    }
}

/// ObjectMeta for each `NameRule`, indexed by `NameRule as usize`.
pub fn object_metas(b: &mut Builder) -> [ShapeId; 4] {
    [
        object_meta(b, NameRule::Subdomain),
        object_meta(b, NameRule::Label),
        object_meta(b, NameRule::Dns1035),
        object_meta(b, NameRule::Template),
    ]
}

fn object_meta(b: &mut Builder, rule: NameRule) -> ShapeId {
    let name = match rule {
        NameRule::Subdomain => b.fmt(StrFormat::Dns1123Subdomain),
        NameRule::Label => b.fmt(StrFormat::Dns1123Label),
        NameRule::Dns1035 => b.fmt(StrFormat::Dns1035Label),
        NameRule::Template => b.str(),
    };
    let namespace = b.fmt(StrFormat::Dns1123Label);
    let str = b.str();
    let int = b.int64();
    let date = b.fmt(StrFormat::DateTime);
    let label_value = b.fmt(StrFormat::LabelValue);
    let labels = b.map_keyed(StrFormat::QualifiedName, label_value);
    let annotations = {
        let s = b.str();
        b.map_keyed(StrFormat::QualifiedName, s)
    };
    let boolean = b.bool();
    let owner = b.closed(
        &[
            ("apiVersion", str),
            ("kind", str),
            ("name", str),
            ("uid", str),
            ("controller", boolean),
            ("blockOwnerDeletion", boolean),
        ],
        &["apiVersion", "kind", "name", "uid"],
    );
    let owners = b.list(owner);
    let finalizers = b.strings();
    let any = b.any();
    let managed = b.list(any);
    let meta = b.closed(
        &[
            ("name", name),
            ("generateName", str),
            ("namespace", namespace),
            ("selfLink", str),
            ("uid", str),
            ("resourceVersion", str),
            ("generation", int),
            ("creationTimestamp", date),
            ("deletionTimestamp", date),
            ("deletionGracePeriodSeconds", int),
            ("labels", labels),
            ("annotations", annotations),
            ("ownerReferences", owners),
            ("finalizers", finalizers),
            ("managedFields", managed),
        ],
        &[],
    );
    if rule != NameRule::Template
        && let Shape::Obj(o) = &mut b.shapes[meta as usize]
    {
        o.groups.push(Group {
            fields: vec!["name".into(), "generateName".into()],
            count: Count::AtLeastOne,
            message: Some("metadata.name is required".into()),
        });
    }
    meta
}

/// Every hand-written kind: (group, kind, versions, root shape).
pub fn kinds(
    b: &mut Builder,
) -> Vec<(&'static str, &'static str, &'static [&'static str], ShapeId)> {
    let mut out = Vec::new();
    let v1: &'static [&'static str] = &["v1"];

    let str = b.str();
    let any = b.any();
    let boolean = b.bool();
    let meta = b.add(Shape::Meta(NameRule::Subdomain));
    let root = |b: &mut Builder, meta: ShapeId, extra: &[(&str, ShapeId)]| {
        let mut props = vec![
            ("apiVersion", str),
            ("kind", str),
            ("metadata", meta),
            ("status", any),
        ];
        props.extend_from_slice(extra);
        b.closed(&props, &[])
    };

    // Namespace
    let finalizers = b.strings();
    let ns_spec = b.closed(&[("finalizers", finalizers)], &[]);
    let ns_meta = b.add(Shape::Meta(NameRule::Label));
    let r = root(b, ns_meta, &[("spec", ns_spec)]);
    out.push(("", "Namespace", v1, r));

    // Service
    let service_spec = service_spec(b);
    let svc_meta = b.add(Shape::Meta(NameRule::Dns1035));
    let r = root(b, svc_meta, &[("spec", service_spec)]);
    out.push(("", "Service", v1, r));

    // ServiceAccount
    let object_ref = b.open(&[], &[]);
    let secrets = b.list(object_ref);
    let local_ref = b.closed(&[("name", str)], &[]);
    let pull = b.list(local_ref);
    let r = root(
        b,
        meta,
        &[
            ("secrets", secrets),
            ("imagePullSecrets", pull),
            ("automountServiceAccountToken", boolean),
        ],
    );
    out.push(("", "ServiceAccount", v1, r));

    // ConfigMap and Secret
    let data = b.map_keyed(StrFormat::ConfigKey, str);
    let bytes = b.fmt(StrFormat::Byte);
    let binary = b.map_keyed(StrFormat::ConfigKey, bytes);
    let r = root(
        b,
        meta,
        &[
            ("data", data),
            ("binaryData", binary),
            ("immutable", boolean),
        ],
    );
    out.push(("", "ConfigMap", v1, r));
    let r = root(
        b,
        meta,
        &[
            ("data", binary),
            ("stringData", data),
            ("type", str),
            ("immutable", boolean),
        ],
    );
    out.push(("", "Secret", v1, r));

    // Workloads
    let pod_spec = pod_spec(b);
    let r = root(b, meta, &[("spec", pod_spec)]);
    out.push(("", "Pod", v1, r));
    let selector = label_selector(b);
    let template = {
        let m = b.add(Shape::Meta(NameRule::Template));
        b.closed(&[("metadata", m), ("spec", pod_spec)], &[])
    };
    let replicas = b.nonneg32();
    let nonneg = b.nonneg32();
    let ios = b.int_or_str();

    let rolling = b.closed(&[("maxUnavailable", ios), ("maxSurge", ios)], &[]);
    let strategy_type = b.one_of(&["Recreate", "RollingUpdate"]);
    let strategy = b.closed(&[("type", strategy_type), ("rollingUpdate", rolling)], &[]);
    let deployment = b.closed(
        &[
            ("replicas", replicas),
            ("selector", selector),
            ("template", template),
            ("strategy", strategy),
            ("minReadySeconds", nonneg),
            ("revisionHistoryLimit", nonneg),
            ("paused", boolean),
            ("progressDeadlineSeconds", nonneg),
        ],
        &["selector", "template"],
    );
    let r = root(b, meta, &[("spec", deployment)]);
    out.push(("apps", "Deployment", v1, r));

    let sts_rolling = b.closed(&[("partition", nonneg), ("maxUnavailable", ios)], &[]);
    let update_type = b.one_of(&["RollingUpdate", "OnDelete"]);
    let sts_update = b.closed(
        &[("type", update_type), ("rollingUpdate", sts_rolling)],
        &[],
    );
    let retain = b.one_of(&["Retain", "Delete"]);
    let retention = b.closed(&[("whenDeleted", retain), ("whenScaled", retain)], &[]);
    let ordinals = b.closed(&[("start", nonneg)], &[]);
    let pvc = b.open(&[], &[]);
    let pvcs = b.list(pvc);
    let pod_management = b.one_of(&["OrderedReady", "Parallel"]);
    let statefulset = b.closed(
        &[
            ("replicas", replicas),
            ("selector", selector),
            ("template", template),
            ("volumeClaimTemplates", pvcs),
            ("serviceName", str),
            ("podManagementPolicy", pod_management),
            ("updateStrategy", sts_update),
            ("revisionHistoryLimit", nonneg),
            ("minReadySeconds", nonneg),
            ("persistentVolumeClaimRetentionPolicy", retention),
            ("ordinals", ordinals),
        ],
        &["selector", "template"],
    );
    let r = root(b, meta, &[("spec", statefulset)]);
    out.push(("apps", "StatefulSet", v1, r));

    let ds_update = b.closed(&[("type", update_type), ("rollingUpdate", rolling)], &[]);
    let daemonset = b.closed(
        &[
            ("selector", selector),
            ("template", template),
            ("updateStrategy", ds_update),
            ("minReadySeconds", nonneg),
            ("revisionHistoryLimit", nonneg),
        ],
        &["selector", "template"],
    );
    let r = root(b, meta, &[("spec", daemonset)]);
    out.push(("apps", "DaemonSet", v1, r));

    let replicaset = b.closed(
        &[
            ("replicas", replicas),
            ("minReadySeconds", nonneg),
            ("selector", selector),
            ("template", template),
        ],
        &["selector"],
    );
    let r = root(b, meta, &[("spec", replicaset)]);
    out.push(("apps", "ReplicaSet", v1, r));

    let int32 = b.int32();
    let int64 = b.int64();
    let open = b.open(&[], &[]);
    let completion = b.one_of(&["NonIndexed", "Indexed"]);
    let replacement = b.one_of(&["TerminatingOrFailed", "Failed"]);
    let job_spec = b.closed(
        &[
            ("parallelism", int32),
            ("completions", int32),
            ("activeDeadlineSeconds", int64),
            ("podFailurePolicy", open),
            ("successPolicy", open),
            ("backoffLimit", int32),
            ("backoffLimitPerIndex", int32),
            ("maxFailedIndexes", int32),
            ("selector", selector),
            ("manualSelector", boolean),
            ("template", template),
            ("ttlSecondsAfterFinished", int32),
            ("completionMode", completion),
            ("suspend", boolean),
            ("podReplacementPolicy", replacement),
            ("managedBy", str),
        ],
        &["template"],
    );
    let r = root(b, meta, &[("spec", job_spec)]);
    out.push(("batch", "Job", v1, r));

    let job_template = {
        let m = b.add(Shape::Meta(NameRule::Template));
        b.closed(&[("metadata", m), ("spec", job_spec)], &[])
    };
    let concurrency = b.one_of(&["Allow", "Forbid", "Replace"]);
    let cronjob = b.closed(
        &[
            ("schedule", str),
            ("timeZone", str),
            ("startingDeadlineSeconds", int64),
            ("concurrencyPolicy", concurrency),
            ("suspend", boolean),
            ("jobTemplate", job_template),
            ("successfulJobsHistoryLimit", int32),
            ("failedJobsHistoryLimit", int32),
        ],
        &["schedule", "jobTemplate"],
    );
    let r = root(b, meta, &[("spec", cronjob)]);
    out.push(("batch", "CronJob", v1, r));

    // Admission webhook configurations and CRDs: only what meshlint reads is typed; the rest
    // is left to the API server.
    let webhook = b.open(&[], &[]);
    let webhooks = b.list(webhook);
    let r = root(b, meta, &[("webhooks", webhooks)]);
    out.push((
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
        v1,
        r,
    ));
    let r = root(b, meta, &[("webhooks", webhooks)]);
    out.push((
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
        v1,
        r,
    ));
    let r = root(b, meta, &[("spec", any)]);
    out.push(("apiextensions.k8s.io", "CustomResourceDefinition", v1, r));

    gateway_api(b, meta, &mut out);
    out
}

fn service_spec(b: &mut Builder) -> ShapeId {
    let str = b.str();
    let strings = b.strings();
    let boolean = b.bool();
    let port = b.port();
    let node_port = b.int(0, 65535);
    let name = b.fmt(StrFormat::Dns1123Label);
    let protocol = b.one_of(&["TCP", "UDP", "SCTP"]);
    let target_port = b.add(Shape::IntOrStr(IntOrStrShape {
        port: true,
        cel: Vec::new(),
    }));
    let service_port = b.closed(
        &[
            ("name", name),
            ("protocol", protocol),
            ("appProtocol", str),
            ("port", port),
            ("targetPort", target_port),
            ("nodePort", node_port),
        ],
        &["port"],
    );
    let ports = b.add(Shape::Arr(ArrShape {
        cel: Vec::new(),
        items: service_port,
        min: None,
        max: None,
        unique: vec![vec!["port".into(), "protocol".into()], vec!["name".into()]],
        required_if_many: vec!["name".into()],
    }));
    let label_value = b.fmt(StrFormat::LabelValue);
    let selector = b.map_keyed(StrFormat::QualifiedName, label_value);
    let policy = b.one_of(&["Cluster", "Local"]);
    let family = b.one_of(&["IPv4", "IPv6"]);
    let families = b.list(family);
    let family_policy = b.one_of(&["SingleStack", "PreferDualStack", "RequireDualStack"]);
    let affinity = b.one_of(&["None", "ClientIP"]);
    let timeout = b.int(1, 86400);
    let client_ip = b.closed(&[("timeoutSeconds", timeout)], &[]);
    let affinity_config = b.closed(&[("clientIP", client_ip)], &[]);
    let service_type = b.one_of(&["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]);
    b.closed(
        &[
            ("allocateLoadBalancerNodePorts", boolean),
            ("clusterIP", str),
            ("clusterIPs", strings),
            ("externalIPs", strings),
            ("externalName", str),
            ("externalTrafficPolicy", policy),
            ("healthCheckNodePort", node_port),
            ("internalTrafficPolicy", policy),
            ("ipFamilies", families),
            ("ipFamilyPolicy", family_policy),
            ("loadBalancerClass", str),
            ("loadBalancerIP", str),
            ("loadBalancerSourceRanges", strings),
            ("ports", ports),
            ("publishNotReadyAddresses", boolean),
            ("selector", selector),
            ("sessionAffinity", affinity),
            ("sessionAffinityConfig", affinity_config),
            ("trafficDistribution", str),
            ("type", service_type),
        ],
        &[],
    )
}

fn label_selector(b: &mut Builder) -> ShapeId {
    let label_value = b.fmt(StrFormat::LabelValue);
    let match_labels = b.map_keyed(StrFormat::QualifiedName, label_value);
    let key = b.fmt(StrFormat::QualifiedName);
    let operator = b.one_of(&["In", "NotIn", "Exists", "DoesNotExist"]);
    let values = b.strings();
    let requirement = b.closed(
        &[("key", key), ("operator", operator), ("values", values)],
        &["key", "operator"],
    );
    let expressions = b.list(requirement);
    b.closed(
        &[
            ("matchLabels", match_labels),
            ("matchExpressions", expressions),
        ],
        &[],
    )
}

/// The pod spec: open, with the few fields the mesh reads typed.
fn pod_spec(b: &mut Builder) -> ShapeId {
    let str = b.str();
    let port = b.port();
    let port_name = b.fmt(StrFormat::IanaSvcName);
    let protocol = b.one_of(&["TCP", "UDP", "SCTP"]);
    let container_port = b.closed(
        &[
            ("name", port_name),
            ("hostPort", port),
            ("containerPort", port),
            ("protocol", protocol),
            ("hostIP", str),
        ],
        &["containerPort"],
    );
    let ports = b.list(container_port);
    let name = b.fmt(StrFormat::Dns1123Label);
    let pull = b.one_of(&["Always", "Never", "IfNotPresent"]);
    let container = b.open(
        &[
            ("name", name),
            ("image", str),
            ("ports", ports),
            ("imagePullPolicy", pull),
        ],
        &["name"],
    );
    let containers = b.list(container);
    let restart = b.one_of(&["Always", "OnFailure", "Never"]);
    let sa = b.fmt(StrFormat::Dns1123Subdomain);
    b.open(
        &[
            ("containers", containers),
            ("initContainers", containers),
            ("restartPolicy", restart),
            ("serviceAccountName", sa),
            ("serviceAccount", sa),
        ],
        &["containers"],
    )
}

fn gateway_api(
    b: &mut Builder,
    meta: ShapeId,
    out: &mut Vec<(&'static str, &'static str, &'static [&'static str], ShapeId)>,
) {
    const GW: &str = "gateway.networking.k8s.io";
    const VERSIONS: &[&str] = &["v1", "v1beta1", "v1alpha2"];
    let str = b.str();
    let any = b.any();
    let open = b.open(&[], &[]);
    let port = b.port();
    let strings = b.strings();

    let parent_ref = b.closed(
        &[
            ("group", str),
            ("kind", str),
            ("namespace", str),
            ("name", str),
            ("sectionName", str),
            ("port", port),
        ],
        &["name"],
    );
    let parent_refs = b.list(parent_ref);
    let weight = b.int(0, 1_000_000);
    let filters = b.list(open);
    let backend_ref = b.closed(
        &[
            ("group", str),
            ("kind", str),
            ("name", str),
            ("namespace", str),
            ("port", port),
            ("weight", weight),
            ("filters", filters),
        ],
        &["name"],
    );
    let backend_refs = b.list(backend_ref);
    let root = |b: &mut Builder, spec: ShapeId| {
        b.closed(
            &[
                ("apiVersion", str),
                ("kind", str),
                ("metadata", meta),
                ("spec", spec),
                ("status", any),
            ],
            &["spec"],
        )
    };

    // Gateway
    let selector = label_selector(b);
    let from = b.one_of(&["All", "Selector", "Same", "None"]);
    let namespaces = b.closed(&[("from", from), ("selector", selector)], &[]);
    let route_kind = b.closed(&[("group", str), ("kind", str)], &["kind"]);
    let route_kinds = b.list(route_kind);
    let allowed_routes = b.closed(&[("namespaces", namespaces), ("kinds", route_kinds)], &[]);
    let tls_mode = b.one_of(&["Terminate", "Passthrough"]);
    let cert_ref = b.closed(
        &[
            ("group", str),
            ("kind", str),
            ("name", str),
            ("namespace", str),
        ],
        &["name"],
    );
    let cert_refs = b.list(cert_ref);
    let tls = b.open(&[("mode", tls_mode), ("certificateRefs", cert_refs)], &[]);
    let listener = b.closed(
        &[
            ("name", str),
            ("hostname", str),
            ("port", port),
            ("protocol", str),
            ("tls", tls),
            ("allowedRoutes", allowed_routes),
        ],
        &["name", "port", "protocol"],
    );
    let listeners = b.add(Shape::Arr(ArrShape {
        cel: Vec::new(),
        items: listener,
        min: Some(1),
        max: Some(64),
        unique: vec![vec!["name".into()]],
        required_if_many: Vec::new(),
    }));
    let address = b.closed(&[("type", str), ("value", str)], &[]);
    let addresses = b.list(address);
    let gateway = b.open(
        &[
            ("gatewayClassName", str),
            ("listeners", listeners),
            ("addresses", addresses),
        ],
        &["gatewayClassName", "listeners"],
    );
    let r = root(b, gateway);
    out.push((GW, "Gateway", VERSIONS, r));

    // HTTPRoute
    let path_type = b.one_of(&["Exact", "PathPrefix", "RegularExpression"]);
    let path = b.closed(&[("type", path_type), ("value", str)], &[]);
    let header_type = b.one_of(&["Exact", "RegularExpression"]);
    let header = b.closed(
        &[("type", header_type), ("name", str), ("value", str)],
        &["name", "value"],
    );
    let headers = b.list(header);
    let method = b.one_of(&[
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ]);
    let http_match = b.closed(
        &[
            ("path", path),
            ("headers", headers),
            ("queryParams", headers),
            ("method", method),
        ],
        &[],
    );
    let matches = b.list(http_match);
    let duration = b.fmt(StrFormat::GatewayDuration);
    let timeouts = b.closed(&[("request", duration), ("backendRequest", duration)], &[]);
    let http_rule = b.open(
        &[
            ("name", str),
            ("matches", matches),
            ("filters", filters),
            ("backendRefs", backend_refs),
            ("timeouts", timeouts),
        ],
        &[],
    );
    let http_rules = b.list(http_rule);
    let http_route = b.open(
        &[
            ("parentRefs", parent_refs),
            ("hostnames", strings),
            ("rules", http_rules),
        ],
        &[],
    );
    let r = root(b, http_route);
    out.push((GW, "HTTPRoute", VERSIONS, r));

    // GRPCRoute
    let grpc_method = b.closed(
        &[("type", header_type), ("service", str), ("method", str)],
        &[],
    );
    let grpc_match = b.closed(&[("method", grpc_method), ("headers", headers)], &[]);
    let grpc_matches = b.list(grpc_match);
    let grpc_rule = b.open(
        &[
            ("name", str),
            ("matches", grpc_matches),
            ("filters", filters),
            ("backendRefs", backend_refs),
        ],
        &[],
    );
    let grpc_rules = b.list(grpc_rule);
    let grpc_route = b.open(
        &[
            ("parentRefs", parent_refs),
            ("hostnames", strings),
            ("rules", grpc_rules),
        ],
        &[],
    );
    let r = root(b, grpc_route);
    out.push((GW, "GRPCRoute", VERSIONS, r));

    // ReferenceGrant
    let grant_from = b.closed(
        &[("group", str), ("kind", str), ("namespace", str)],
        &["group", "kind", "namespace"],
    );
    let grant_to = b.closed(
        &[("group", str), ("kind", str), ("name", str)],
        &["group", "kind"],
    );
    let froms = b.add(Shape::Arr(ArrShape {
        cel: Vec::new(),
        items: grant_from,
        min: Some(1),
        max: Some(16),
        unique: Vec::new(),
        required_if_many: Vec::new(),
    }));
    let tos = b.add(Shape::Arr(ArrShape {
        cel: Vec::new(),
        items: grant_to,
        min: Some(1),
        max: Some(16),
        unique: Vec::new(),
        required_if_many: Vec::new(),
    }));
    let grant = b.closed(&[("from", froms), ("to", tos)], &["from", "to"]);
    let r = root(b, grant);
    out.push((GW, "ReferenceGrant", VERSIONS, r));
}
