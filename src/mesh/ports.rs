//! Service ports and the protocol Istio infers for them (`pkg/config/protocol`).

use std::collections::HashMap;

use crate::mesh::{ExportTo, Mesh, PortInfo, ServiceSource};
use crate::model::Model;
use crate::model::k8s::K8sServicePort;
use crate::model::networking::ServicePort;
use crate::model::node::IntOrString;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Http,
    Http2,
    Https,
    Grpc,
    GrpcWeb,
    Tcp,
    Tls,
    Mongo,
    Redis,
    Mysql,
    Udp,
    /// Not declared: Istio sniffs the protocol.
    Unknown,
}

impl Protocol {
    /// From an explicit protocol (`appProtocol`, a ServiceEntry/Gateway `protocol`), case-insensitive.
    pub fn parse(s: &str) -> Protocol {
        match s.to_ascii_lowercase().as_str() {
            "http" => Protocol::Http,
            "http2" | "kubernetes.io/h2c" => Protocol::Http2,
            "https" => Protocol::Https,
            "grpc" => Protocol::Grpc,
            "grpc-web" => Protocol::GrpcWeb,
            "tcp" => Protocol::Tcp,
            "tls" => Protocol::Tls,
            "mongo" => Protocol::Mongo,
            "redis" => Protocol::Redis,
            "mysql" => Protocol::Mysql,
            "udp" => Protocol::Udp,
            _ => Protocol::Unknown,
        }
    }

    /// From a port name: the part before the first `-` (`http-web` → HTTP).
    pub fn from_port_name(name: &str) -> Protocol {
        let prefix = name.split('-').next().unwrap_or(name);
        if name.to_ascii_lowercase().starts_with("grpc-web") {
            return Protocol::GrpcWeb;
        }
        Protocol::parse(prefix)
    }

    pub fn is_http(self) -> bool {
        matches!(
            self,
            Protocol::Http | Protocol::Http2 | Protocol::Grpc | Protocol::GrpcWeb
        )
    }
}

/// Ports that default to TCP when their name says nothing (`pkg/config/kube` `wellKnownPorts`:
/// SMTP, DNS, MySQL, MongoDB): Istio never sniffs them.
const WELL_KNOWN_TCP_PORTS: [u32; 4] = [25, 53, 3306, 27017];

/// The protocol Istio derives for a Kubernetes Service port (`pkg/config/kube` `ConvertProtocol`):
/// UDP from the port's `protocol`; else `appProtocol` when set (including Kubernetes'
/// `kubernetes.io/h2c`, `kubernetes.io/ws` and `kubernetes.io/wss`), else the port name up to the
/// first `-` (`grpc-web` as a whole; `http_proxy` counts as HTTP). A well-known TCP port defaults
/// to TCP. `None` when nothing declares the protocol: Istio then sniffs it.
pub fn declared_protocol(
    port: u32,
    name: Option<&str>,
    k8s_protocol: Option<&str>,
    app_protocol: Option<&str>,
) -> Option<Protocol> {
    if k8s_protocol.is_some_and(|p| p.eq_ignore_ascii_case("UDP")) {
        return Some(Protocol::Udp);
    }
    let declared = match app_protocol {
        Some("kubernetes.io/ws") => Protocol::Http,
        Some("kubernetes.io/wss") => Protocol::Https,
        Some(app) => Protocol::from_port_name(app),
        None => match name {
            Some(n)
                if n.split('-')
                    .next()
                    .is_some_and(|p| p.eq_ignore_ascii_case("http_proxy")) =>
            {
                Protocol::Http
            }
            Some(n) => Protocol::from_port_name(n),
            None => Protocol::Unknown,
        },
    };
    match declared {
        Protocol::Unknown if WELL_KNOWN_TCP_PORTS.contains(&port) => Some(Protocol::Tcp),
        Protocol::Unknown => None,
        p => Some(p),
    }
}

pub fn k8s_port(p: &K8sServicePort) -> Option<PortInfo> {
    let number = p.port.as_ref()?.value;
    let name = p.name.as_ref().map(|n| n.value.clone()).unwrap_or_default();
    let protocol = declared_protocol(
        number,
        p.name.as_ref().map(|n| n.value.as_str()),
        p.protocol.as_ref().map(|n| n.value.as_str()),
        p.app_protocol.as_ref().map(|n| n.value.as_str()),
    )
    .unwrap_or(Protocol::Unknown);
    let (target_port, target_port_name) = match p.target_port.as_ref().map(|t| &t.value) {
        Some(IntOrString::Int(n)) => (u32::try_from(*n).ok(), None),
        Some(IntOrString::String(s)) => (None, Some(s.clone())),
        None => (Some(number), None),
    };
    Some(PortInfo {
        number,
        name,
        target_port,
        target_port_name,
        protocol,
        loc: p.at,
    })
}

pub fn se_port(p: &ServicePort) -> Option<PortInfo> {
    let number = p.number.as_ref()?.value;
    let name = p.name.as_ref().map(|n| n.value.clone()).unwrap_or_default();
    let protocol = p
        .protocol
        .as_ref()
        .map_or(Protocol::Unknown, |pr| Protocol::parse(&pr.value));
    Some(PortInfo {
        number,
        name,
        target_port: Some(p.target_port.as_ref().map_or(number, |t| t.value)),
        target_port_name: None,
        protocol,
        loc: p.at,
    })
}

/// One declared port of one ServiceEntry host.
pub struct ServiceEntryPort<'a> {
    /// Index into `Model::service_entries`.
    pub se: usize,
    /// Index into the ServiceEntry's `spec.ports`.
    pub port: usize,
    /// The protocol as written, upper-cased (empty when undeclared).
    pub protocol: String,
    pub export: &'a ExportTo,
}

/// The ports of every ServiceEntry host of the index grouped by (host, port number), in key
/// order, ServiceEntries in input order: what the rules comparing ServiceEntries that declare
/// the same host and port read. Linear in the declared ports.
pub fn service_entry_ports_by_host_port<'a>(
    mesh: &'a Mesh,
    model: &Model,
) -> Vec<((String, u32), Vec<ServiceEntryPort<'a>>)> {
    let mut groups: HashMap<(String, u32), Vec<ServiceEntryPort<'a>>> = HashMap::new();
    for svc in &mesh.services {
        let ServiceSource::ServiceEntry(i, _) = svc.source else {
            continue;
        };
        let Some(se) = model.service_entries.get(i) else {
            continue;
        };
        for (j, p) in se.spec.ports.iter().enumerate() {
            let Some(number) = p.number.as_ref() else {
                continue;
            };
            let protocol = p
                .protocol
                .as_ref()
                .map_or(String::new(), |p| p.value.to_ascii_uppercase());
            groups
                .entry((svc.host.clone(), number.value))
                .or_default()
                .push(ServiceEntryPort {
                    se: i,
                    port: j,
                    protocol,
                    export: &svc.export_to,
                });
        }
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_protocols() {
        assert_eq!(
            declared_protocol(80, Some("http-web"), None, None),
            Some(Protocol::Http)
        );
        assert_eq!(
            declared_protocol(80, Some("grpc-web-x"), None, None),
            Some(Protocol::GrpcWeb)
        );
        assert_eq!(declared_protocol(80, Some("web"), None, None), None);
        assert_eq!(declared_protocol(80, None, None, None), None);
        assert_eq!(
            declared_protocol(80, Some("web"), Some("UDP"), None),
            Some(Protocol::Udp)
        );
        assert_eq!(
            declared_protocol(80, Some("web"), None, Some("kubernetes.io/h2c")),
            Some(Protocol::Http2)
        );
        assert_eq!(
            declared_protocol(80, Some("http"), None, Some("hbone")),
            None,
            "appProtocol wins"
        );
        assert_eq!(
            declared_protocol(3306, None, None, None),
            Some(Protocol::Tcp)
        );
        assert_eq!(
            declared_protocol(9000, Some("http_proxy"), None, None),
            Some(Protocol::Http)
        );
    }
}
