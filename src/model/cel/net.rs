//! Kubernetes' IP and CIDR CEL library (`k8s.io/apiserver/pkg/cel/library/ip.go`, `cidr.go`):
//! `isIP`, `ip`, `isCIDR`, `cidr`, `ip.isCanonical`, and the accessors `family`,
//! `isUnspecified`, `isLoopback`, `isLinkLocalMulticast`, `isLinkLocalUnicast`,
//! `isGlobalUnicast` on an IP, `containsIP`, `containsCIDR`, `ip`, `masked`, `prefixLength` on a
//! CIDR. No rule of the current Istio CRDs calls them; they are here so that a CRD update that
//! does is evaluated, not reported broken. As in Kubernetes, an address with a zone (`%eth0`) or
//! an IPv4-mapped IPv6 address is no IP.

use std::net::IpAddr;
use std::sync::Arc;

use cel::extractors::This;
use cel::objects::{Opaque, Value};
use cel::{Context, ExecutionError, ResolveResult};
use ipnet::IpNet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ip(pub IpAddr);

impl Opaque for Ip {
    fn runtime_type_name(&self) -> &str {
        "net.IP"
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cidr(pub IpNet);

impl Opaque for Cidr {
    fn runtime_type_name(&self) -> &str {
        "net.CIDR"
    }
}

/// Kubernetes' `parseIPAddr`.
pub fn parse_ip(s: &str) -> Result<IpAddr, String> {
    if s.contains('%') {
        return Err(format!("IP address with zone value is not allowed: {s}"));
    }
    let ip: IpAddr = s
        .parse()
        .map_err(|_| format!("IP Address {s:?} parse error during conversion from string"))?;
    if let IpAddr::V6(v6) = ip
        && v6.to_ipv4_mapped().is_some()
    {
        return Err(format!("IPv4-mapped IPv6 address is not allowed: {s}"));
    }
    Ok(ip)
}

/// Kubernetes' `parseCIDR`: an address (as above) and a prefix length.
pub fn parse_cidr(s: &str) -> Result<IpNet, String> {
    let (addr, _) = s.split_once('/').ok_or_else(|| {
        format!("network address parse error during conversion from string: {s:?}")
    })?;
    parse_ip(addr)?;
    s.parse::<IpNet>()
        .map_err(|_| format!("network address parse error during conversion from string: {s:?}"))
}

fn err(f: &str, e: String) -> ExecutionError {
    ExecutionError::function_error(f, e)
}

fn as_ip(v: &Value, f: &str) -> Result<IpAddr, ExecutionError> {
    match v {
        Value::Opaque(o) => o
            .downcast_ref::<Ip>()
            .map(|i| i.0)
            .ok_or_else(|| err(f, "not an IP".into())),
        Value::String(s) => parse_ip(s).map_err(|e| err(f, e)),
        _ => Err(err(f, "not an IP".into())),
    }
}

fn as_cidr(v: &Value, f: &str) -> Result<IpNet, ExecutionError> {
    match v {
        Value::Opaque(o) => o
            .downcast_ref::<Cidr>()
            .map(|c| c.0)
            .ok_or_else(|| err(f, "not a CIDR".into())),
        Value::String(s) => parse_cidr(s).map_err(|e| err(f, e)),
        _ => Err(err(f, "not a CIDR".into())),
    }
}

fn ip_value(ip: IpAddr) -> Value {
    Value::Opaque(Arc::new(Ip(ip)))
}

fn is_ip(s: Arc<String>) -> bool {
    parse_ip(&s).is_ok()
}

fn is_cidr(s: Arc<String>) -> bool {
    parse_cidr(&s).is_ok()
}

/// `ip(string)`, and `cidr.ip()` (the CIDR's address).
fn ip(This(this): This<Value>) -> ResolveResult {
    if let Value::Opaque(o) = &this
        && let Some(c) = o.downcast_ref::<Cidr>()
    {
        return Ok(ip_value(c.0.addr()));
    }
    Ok(ip_value(as_ip(&this, "ip")?))
}

fn cidr(s: Arc<String>) -> ResolveResult {
    let net = parse_cidr(&s).map_err(|e| err("cidr", e))?;
    Ok(Value::Opaque(Arc::new(Cidr(net))))
}

/// `ip.isCanonical(string)`: the string is the IP's canonical form.
fn is_canonical(s: Arc<String>) -> ResolveResult {
    let ip = parse_ip(&s).map_err(|e| err("ip.isCanonical", e))?;
    Ok(Value::Bool(ip.to_string() == *s))
}

fn family(This(this): This<Value>) -> ResolveResult {
    Ok(Value::Int(match as_ip(&this, "family")? {
        IpAddr::V4(_) => 4,
        IpAddr::V6(_) => 6,
    }))
}

fn is_unspecified(This(this): This<Value>) -> ResolveResult {
    Ok(Value::Bool(as_ip(&this, "isUnspecified")?.is_unspecified()))
}

fn is_loopback(This(this): This<Value>) -> ResolveResult {
    Ok(Value::Bool(as_ip(&this, "isLoopback")?.is_loopback()))
}

fn is_link_local_multicast(This(this): This<Value>) -> ResolveResult {
    Ok(Value::Bool(match as_ip(&this, "isLinkLocalMulticast")? {
        IpAddr::V4(v4) => v4.octets()[..3] == [224, 0, 0],
        IpAddr::V6(v6) => v6.segments()[0] & 0xff0f == 0xff02,
    }))
}

fn is_link_local_unicast(This(this): This<Value>) -> ResolveResult {
    Ok(Value::Bool(match as_ip(&this, "isLinkLocalUnicast")? {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }))
}

/// Go's `IsGlobalUnicast`: not unspecified, loopback, multicast, link-local or broadcast.
fn is_global_unicast(This(this): This<Value>) -> ResolveResult {
    let ip = as_ip(&this, "isGlobalUnicast")?;
    let local = match ip {
        IpAddr::V4(v4) => v4.is_link_local() || v4.is_broadcast(),
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    };
    Ok(Value::Bool(
        !(ip.is_unspecified() || ip.is_loopback() || ip.is_multicast() || local),
    ))
}

fn contains_ip(This(this): This<Value>, other: Value) -> ResolveResult {
    let net = as_cidr(&this, "containsIP")?;
    let ip = as_ip(&other, "containsIP")?;
    Ok(Value::Bool(net.contains(&ip)))
}

fn contains_cidr(This(this): This<Value>, other: Value) -> ResolveResult {
    let net = as_cidr(&this, "containsCIDR")?;
    let sub = as_cidr(&other, "containsCIDR")?;
    Ok(Value::Bool(
        net.contains(&sub.network()) && sub.prefix_len() >= net.prefix_len(),
    ))
}

fn masked(This(this): This<Value>) -> ResolveResult {
    let net = as_cidr(&this, "masked")?;
    Ok(Value::Opaque(Arc::new(Cidr(net.trunc()))))
}

fn prefix_length(This(this): This<Value>) -> ResolveResult {
    Ok(Value::Int(i64::from(
        as_cidr(&this, "prefixLength")?.prefix_len(),
    )))
}

/// The functions of this library, by name.
pub const FUNCTIONS: &[&str] = &[
    "isIP",
    "ip",
    "ip.isCanonical",
    "isCIDR",
    "cidr",
    "family",
    "isUnspecified",
    "isLoopback",
    "isLinkLocalMulticast",
    "isLinkLocalUnicast",
    "isGlobalUnicast",
    "containsIP",
    "containsCIDR",
    "masked",
    "prefixLength",
];

/// Adds the library to a root context.
pub fn register(ctx: &mut Context<'_, '_>) -> Result<(), cel::DeclarationError> {
    ctx.add_function("isIP", is_ip)?;
    ctx.add_function("ip", ip)?;
    ctx.add_function("ip.isCanonical", is_canonical)?;
    ctx.add_function("isCIDR", is_cidr)?;
    ctx.add_function("cidr", cidr)?;
    ctx.add_function("family", family)?;
    ctx.add_function("isUnspecified", is_unspecified)?;
    ctx.add_function("isLoopback", is_loopback)?;
    ctx.add_function("isLinkLocalMulticast", is_link_local_multicast)?;
    ctx.add_function("isLinkLocalUnicast", is_link_local_unicast)?;
    ctx.add_function("isGlobalUnicast", is_global_unicast)?;
    ctx.add_function("containsIP", contains_ip)?;
    ctx.add_function("containsCIDR", contains_cidr)?;
    ctx.add_function("masked", masked)?;
    ctx.add_function("prefixLength", prefix_length)?;
    Ok(())
}
