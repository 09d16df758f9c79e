//! Service ports and the protocol Istio infers for them (`pkg/config/protocol`).

use crate::mesh::PortInfo;
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
        matches!(self, Protocol::Http | Protocol::Http2 | Protocol::Grpc | Protocol::GrpcWeb)
    }
}

pub fn k8s_port(p: &K8sServicePort) -> Option<PortInfo> {
    let number = p.port.as_ref()?.value;
    let name = p.name.as_ref().map(|n| n.value.clone()).unwrap_or_default();
    let protocol = match (&p.app_protocol, &p.protocol) {
        (Some(app), _) => Protocol::parse(&app.value),
        (None, Some(proto)) if proto.value.eq_ignore_ascii_case("UDP") => Protocol::Udp,
        _ => Protocol::from_port_name(&name),
    };
    let (target_port, target_port_name) = match p.target_port.as_ref().map(|t| &t.value) {
        Some(IntOrString::Int(n)) => (u32::try_from(*n).ok(), None),
        Some(IntOrString::String(s)) => (None, Some(s.clone())),
        None => (Some(number), None),
    };
    Some(PortInfo { number, name, target_port, target_port_name, protocol, loc: p.at })
}

pub fn se_port(p: &ServicePort) -> Option<PortInfo> {
    let number = p.number.as_ref()?.value;
    let name = p.name.as_ref().map(|n| n.value.clone()).unwrap_or_default();
    let protocol = p.protocol.as_ref().map_or(Protocol::Unknown, |pr| Protocol::parse(&pr.value));
    Some(PortInfo {
        number,
        name,
        target_port: Some(p.target_port.as_ref().map_or(number, |t| t.value)),
        target_port_name: None,
        protocol,
        loc: p.at,
    })
}
