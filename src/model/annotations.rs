//! Istio's resource annotations: which exist, which kinds each belongs on, which are deprecated,
//! and how Istio validates the values of those it parses (istioctl `annotations.K8sAnalyzer`).
//!
//! The table is the list of istio/api `annotation/annotations.yaml` (name, `deprecated`,
//! `resources`), sorted by name for binary search; the value checks follow the injector's
//! `AnnotationValidation`.

/// One annotation Istio defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Annotation {
    pub name: &'static str,
    pub deprecated: bool,
    /// The kinds it belongs on (`Any`: every kind).
    pub resources: &'static [&'static str],
}

/// Every annotation Istio defines, sorted by name.
pub static ANNOTATIONS: &[Annotation] = &[
    Annotation {
        name: "alpha.istio.io/canonical-serviceaccounts",
        deprecated: true,
        resources: &["Service"],
    },
    Annotation {
        name: "alpha.istio.io/kubernetes-serviceaccounts",
        deprecated: true,
        resources: &["Service"],
    },
    Annotation {
        name: "ambient.istio.io/bypass-inbound-capture",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "ambient.istio.io/dns-capture",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "ambient.istio.io/redirection",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "ambient.istio.io/waypoint-inbound-binding",
        deprecated: false,
        resources: &["GatewayClass", "Gateway"],
    },
    Annotation {
        name: "galley.istio.io/analyze-suppress",
        deprecated: false,
        resources: &["Any"],
    },
    Annotation {
        name: "gateway.istio.io/controller-version",
        deprecated: false,
        resources: &["Any"],
    },
    Annotation {
        name: "gateway.istio.io/name-override",
        deprecated: false,
        resources: &["Gateway"],
    },
    Annotation {
        name: "gateway.istio.io/service-account",
        deprecated: false,
        resources: &["Gateway"],
    },
    Annotation {
        name: "inject.istio.io/templates",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "istio.io/autoRegistrationGroup",
        deprecated: false,
        resources: &["WorkloadEntry"],
    },
    Annotation {
        name: "istio.io/connectedAt",
        deprecated: false,
        resources: &["WorkloadEntry"],
    },
    Annotation {
        name: "istio.io/disconnectedAt",
        deprecated: false,
        resources: &["WorkloadEntry"],
    },
    Annotation {
        name: "istio.io/dry-run",
        deprecated: false,
        resources: &["AuthorizationPolicy"],
    },
    Annotation {
        name: "istio.io/reroute-virtual-interfaces",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "istio.io/rev",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "istio.io/use-waypoint-canary-weight",
        deprecated: false,
        resources: &["Service", "ServiceEntry", "Namespace"],
    },
    Annotation {
        name: "istio.io/workloadController",
        deprecated: false,
        resources: &["WorkloadEntry"],
    },
    Annotation {
        name: "kubernetes.io/ingress.class",
        deprecated: false,
        resources: &["Ingress"],
    },
    Annotation {
        name: "networking.istio.io/exportTo",
        deprecated: false,
        resources: &["Service"],
    },
    Annotation {
        name: "networking.istio.io/service-type",
        deprecated: false,
        resources: &["Gateway"],
    },
    Annotation {
        name: "networking.istio.io/traffic-distribution",
        deprecated: false,
        resources: &["Namespace", "Service", "ServiceEntry"],
    },
    Annotation {
        name: "prometheus.istio.io/merge-metrics",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "proxy.istio.io/config",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "proxy.istio.io/overrides",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "readiness.status.sidecar.istio.io/applicationPorts",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "readiness.status.sidecar.istio.io/failureThreshold",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "readiness.status.sidecar.istio.io/initialDelaySeconds",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "readiness.status.sidecar.istio.io/periodSeconds",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/agentLogLevel",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/bootstrapOverride",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/componentLogLevel",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/discoveryAddress",
        deprecated: true,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/extraStatTags",
        deprecated: true,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/inject",
        deprecated: true,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/interceptionMode",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/logLevel",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/nativeSidecar",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/proxyCPU",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/proxyCPULimit",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/proxyImage",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/proxyImageType",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/proxyMemory",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/proxyMemoryLimit",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/rewriteAppHTTPProbers",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/statsCompression",
        deprecated: true,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/statsEvictionInterval",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/statsFlushInterval",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/statsHistogramBins",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/statsHistogramBuckets",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/statsInclusionPrefixes",
        deprecated: true,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/statsInclusionRegexps",
        deprecated: true,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/statsInclusionSuffixes",
        deprecated: true,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/status",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/userVolume",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "sidecar.istio.io/userVolumeMount",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "status.sidecar.istio.io/port",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "topology.istio.io/controlPlaneClusters",
        deprecated: false,
        resources: &["Namespace"],
    },
    Annotation {
        name: "traffic.istio.io/nodeSelector",
        deprecated: false,
        resources: &["Service"],
    },
    Annotation {
        name: "traffic.sidecar.istio.io/excludeInboundPorts",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "traffic.sidecar.istio.io/excludeInterfaces",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "traffic.sidecar.istio.io/excludeOutboundIPRanges",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "traffic.sidecar.istio.io/excludeOutboundPorts",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "traffic.sidecar.istio.io/includeInboundPorts",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "traffic.sidecar.istio.io/includeOutboundIPRanges",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "traffic.sidecar.istio.io/includeOutboundPorts",
        deprecated: false,
        resources: &["Pod"],
    },
    Annotation {
        name: "traffic.sidecar.istio.io/kubevirtInterfaces",
        deprecated: true,
        resources: &["Pod"],
    },
];

/// Annotations Istio's own components set, which the analyzer never reports.
pub const SET_BY_ISTIO: &[&str] = &[
    "sidecar.istio.io/status",
    "gateway.istio.io/controller-version",
    "istio.io/rev",
];

/// An object's annotations as the annotation checks see them.
pub struct Annotated<'a> {
    /// The kind the annotations are placed on: the object's kind, or `Pod` for the pod template
    /// of a Deployment (or other pod controller), since the pods get those annotations.
    pub placement: &'static str,
    /// On a pod template rather than on the object itself.
    pub template: bool,
    pub annotations: &'a crate::model::Map<crate::model::Spanned<String>>,
    /// The labels beside them (the template's, for a pod template).
    pub labels: &'a crate::model::Map<crate::model::Spanned<String>>,
    pub resource: crate::diag::ResourceRef,
    /// The object's kind, for messages.
    pub kind: &'static str,
}

impl Annotated<'_> {
    /// "Deployment web" or "the pod template of Deployment web".
    pub fn describe(&self) -> String {
        if self.template {
            format!("the pod template of {} {}", self.kind, self.resource.name)
        } else {
            format!("{} {}", self.kind, self.resource.name)
        }
    }

    /// The Istio annotations to check: in Istio's namespace and not set by Istio itself.
    pub fn istio_annotations(
        &self,
    ) -> impl Iterator<Item = (&str, &crate::model::Spanned<String>)> {
        self.annotations
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .filter(|(k, _)| is_istio(k) && !SET_BY_ISTIO.contains(k))
    }
}

/// The annotated objects istioctl's annotation analyzer reads (Namespaces, Services, Pods,
/// Deployments), with the other pod controllers and the pod templates of all of them.
pub fn annotated(model: &crate::model::Model) -> Vec<Annotated<'_>> {
    fn plain(meta: &crate::model::Meta) -> Option<Annotated<'_>> {
        (!meta.annotations.is_empty()).then(|| Annotated {
            placement: meta.kind.info().kind,
            template: false,
            annotations: &meta.annotations,
            labels: &meta.labels,
            resource: crate::model::resource_ref(meta),
            kind: meta.kind.info().kind,
        })
    }
    let mut out = Vec::new();
    out.extend(model.namespaces.iter().filter_map(|n| plain(&n.meta)));
    out.extend(model.services.iter().filter_map(|s| plain(&s.meta)));
    for w in &model.workloads {
        out.extend(plain(&w.meta));
        if w.kind() != "Pod" && !w.spec.pod_annotations.is_empty() {
            out.push(Annotated {
                placement: "Pod",
                template: true,
                annotations: &w.spec.pod_annotations,
                labels: &w.spec.pod_labels,
                resource: w.resource_ref(),
                kind: w.kind(),
            });
        }
    }
    out
}

/// Whether an annotation key is in Istio's namespace (a prefix ending in `istio.io`), or the one
/// Kubernetes annotation Istio documents (`kubernetes.io/ingress.class`).
pub fn is_istio(key: &str) -> bool {
    key == "kubernetes.io/ingress.class"
        || key
            .split_once('/')
            .map_or(key, |(prefix, _)| prefix)
            .ends_with("istio.io")
}

pub fn lookup(key: &str) -> Option<&'static Annotation> {
    ANNOTATIONS
        .binary_search_by(|a| a.name.cmp(key))
        .ok()
        .map(|i| &ANNOTATIONS[i])
}

/// The known annotation closest to a misspelt one.
pub fn suggest(key: &str) -> Option<&'static str> {
    crate::diag::did_you_mean(key, ANNOTATIONS.iter().map(|a| a.name))
}

/// Why Istio rejects the value of an annotation it parses, `None` when it accepts it (or does
/// not parse that annotation).
pub fn invalid_value(key: &str, value: &str) -> Option<String> {
    match key {
        "sidecar.istio.io/interceptionMode" => (!matches!(value, "REDIRECT" | "TPROXY" | "NONE"))
            .then(|| "the interception mode must be REDIRECT, TPROXY or NONE".to_string()),
        "status.sidecar.istio.io/port" => port(value).err(),
        "readiness.status.sidecar.istio.io/initialDelaySeconds"
        | "readiness.status.sidecar.istio.io/periodSeconds"
        | "readiness.status.sidecar.istio.io/failureThreshold" => value
            .parse::<u32>()
            .is_err()
            .then(|| format!("{value:?} is not a non-negative integer")),
        "traffic.sidecar.istio.io/includeOutboundIPRanges" if value == "*" => None,
        "traffic.sidecar.istio.io/includeOutboundIPRanges"
        | "traffic.sidecar.istio.io/excludeOutboundIPRanges" => cidrs(value).err(),
        "traffic.sidecar.istio.io/includeInboundPorts" if value == "*" => None,
        "traffic.sidecar.istio.io/includeInboundPorts"
        | "traffic.sidecar.istio.io/excludeInboundPorts"
        | "traffic.sidecar.istio.io/excludeOutboundPorts" => ports(value).err(),
        "traffic.sidecar.istio.io/excludeInterfaces"
        | "traffic.sidecar.istio.io/kubevirtInterfaces"
        | "istio.io/reroute-virtual-interfaces" => interfaces(value).err(),
        "prometheus.istio.io/merge-metrics" => (!matches!(
            value,
            "1" | "t"
                | "T"
                | "TRUE"
                | "true"
                | "True"
                | "0"
                | "f"
                | "F"
                | "FALSE"
                | "false"
                | "False"
        ))
        .then(|| format!("{value:?} is not a boolean (true or false)")),
        "proxy.istio.io/config" => proxy_config(value).err(),
        "sidecar.istio.io/proxyCPU"
        | "sidecar.istio.io/proxyMemory"
        | "sidecar.istio.io/proxyCPULimit"
        | "sidecar.istio.io/proxyMemoryLimit" => (!is_quantity(value)).then(|| {
            format!(
                "{value:?} is not a Kubernetes resource quantity (such as 100m, 0.5, 128Mi or 1Gi)"
            )
        }),
        _ => None,
    }
}

fn port(value: &str) -> Result<u16, String> {
    value
        .trim()
        .parse::<u16>()
        .map_err(|_| format!("{:?} is not a port number (0 to 65535)", value.trim()))
}

/// A comma-separated list of ports; empty is allowed.
fn ports(value: &str) -> Result<(), String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(());
    }
    value.split(',').try_for_each(|p| port(p).map(|_| ()))
}

/// A comma-separated list of CIDR ranges (`10.0.0.0/8`, no spaces); empty is allowed.
fn cidrs(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Ok(());
    }
    for cidr in value.split(',') {
        let ok = cidr.split_once('/').is_some_and(|(ip, bits)| {
            let Ok(ip) = ip.parse::<std::net::IpAddr>() else {
                return false;
            };
            let max = if ip.is_ipv4() { 32 } else { 128 };
            !bits.is_empty()
                && bits.bytes().all(|b| b.is_ascii_digit())
                && (bits == "0" || !bits.starts_with('0'))
                && bits.parse::<u32>().is_ok_and(|b| b <= max)
        });
        if !ok {
            return Err(format!(
                "{cidr:?} is not a CIDR range (such as 10.0.0.0/8, without spaces)"
            ));
        }
    }
    Ok(())
}

/// A comma-separated list of network interface names.
fn interfaces(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Ok(());
    }
    for name in value.split(',').map(str::trim) {
        let ok = name.len() <= 15
            && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if !ok {
            return Err(format!(
                "{name:?} is not an interface name (a letter, then letters, digits, `_`, `.` or `-`, at most 15 characters)"
            ));
        }
    }
    Ok(())
}

/// A ProxyConfig written as YAML or JSON: it must at least be a mapping.
fn proxy_config(value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Ok(());
    }
    use crate::load::yaml;
    let chunk = yaml::Chunk {
        start: 0,
        end: value.len(),
        helm_source: None,
    };
    let parsed = yaml::parse_chunk(
        crate::source::FileId(0),
        &std::sync::Arc::from(value),
        &chunk,
        0,
        &yaml::Budgets::default(),
    );
    if !parsed.errors.is_empty() {
        return Err("the value is not valid YAML or JSON".to_string());
    }
    let is_map = parsed
        .documents
        .first()
        .and_then(|d| d.root.map(|r| d.is_map(r)))
        .unwrap_or(true);
    if is_map {
        Ok(())
    } else {
        Err("the value must be a ProxyConfig mapping (such as `holdApplicationUntilProxyStarts: true`)".to_string())
    }
}

/// A Kubernetes resource quantity: a decimal number with an optional suffix (`m`, `k`, `M`…,
/// `Ki`, `Mi`…, or an exponent `e3`).
pub fn is_quantity(value: &str) -> bool {
    let s = value.strip_prefix(['+', '-']).unwrap_or(value);
    let digits = s
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let (number, suffix) = s.split_at(digits);
    let dots = number.bytes().filter(|b| *b == b'.').count();
    if number.is_empty() || number == "." || dots > 1 {
        return false;
    }
    match suffix {
        "" | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E" | "Ki" | "Mi" | "Gi" | "Ti"
        | "Pi" | "Ei" => true,
        _ => suffix
            .strip_prefix(['e', 'E'])
            .map(|e| e.strip_prefix(['+', '-']).unwrap_or(e))
            .is_some_and(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_for_binary_search() {
        assert!(ANNOTATIONS.windows(2).all(|w| w[0].name < w[1].name));
        assert!(lookup("proxy.istio.io/config").is_some());
        assert!(lookup("networking.istio.io/exportThree").is_none());
    }

    #[test]
    fn istio_annotations_by_prefix() {
        assert!(is_istio("sidecar.istio.io/inject"));
        assert!(is_istio("istio.io/rev"));
        assert!(is_istio("kubernetes.io/ingress.class"));
        assert!(!is_istio("helm.sh/hook"));
        assert!(!is_istio("kubernetes.io/psp"));
    }

    #[test]
    fn values_as_the_injector_validates_them() {
        let bad = |k, v| invalid_value(k, v).is_some();
        assert!(bad(
            "readiness.status.sidecar.istio.io/initialDelaySeconds",
            "bar"
        ));
        assert!(!bad(
            "readiness.status.sidecar.istio.io/periodSeconds",
            "10"
        ));
        assert!(!bad("sidecar.istio.io/interceptionMode", "REDIRECT"));
        assert!(bad("sidecar.istio.io/interceptionMode", "redirect"));
        assert!(!bad("traffic.sidecar.istio.io/includeInboundPorts", "*"));
        assert!(!bad(
            "traffic.sidecar.istio.io/excludeInboundPorts",
            "15020, 8080"
        ));
        assert!(bad("traffic.sidecar.istio.io/excludeInboundPorts", "http"));
        assert!(!bad(
            "traffic.sidecar.istio.io/includeOutboundIPRanges",
            "*"
        ));
        assert!(!bad(
            "traffic.sidecar.istio.io/excludeOutboundIPRanges",
            "10.0.0.0/8,fd00::/8"
        ));
        assert!(bad(
            "traffic.sidecar.istio.io/excludeOutboundIPRanges",
            "10.0.0.1"
        ));
        assert!(bad(
            "traffic.sidecar.istio.io/excludeOutboundIPRanges",
            "10.0.0.0/8, 1.2.3.0/24"
        ));
        assert!(!bad("sidecar.istio.io/proxyCPU", "100m"));
        assert!(!bad("sidecar.istio.io/proxyMemory", "1.5Gi"));
        assert!(bad("sidecar.istio.io/proxyMemory", "1GB"));
        assert!(!bad("prometheus.istio.io/merge-metrics", "false"));
        assert!(bad("prometheus.istio.io/merge-metrics", "no"));
        assert!(!bad("proxy.istio.io/config", "{}"));
        assert!(!bad(
            "proxy.istio.io/config",
            "holdApplicationUntilProxyStarts: true\n"
        ));
        assert!(bad("proxy.istio.io/config", "just a string"));
        assert!(bad(
            "traffic.sidecar.istio.io/excludeInterfaces",
            "eth0,1bad"
        ));
    }
}
