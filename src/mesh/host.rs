//! Host names as Istio treats them (`pkg/config/host/name.go`, `pilot/pkg/model/config.go`).

/// The cluster's DNS suffix for Kubernetes services.
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// Expands a host written in a resource of namespace `config_ns` the way Istio does
/// (`ResolveShortnameToFQDN`): only a dot-less name becomes `name.<config_ns>.svc.cluster.local`;
/// `name.ns` stays literal, and wildcards and FQDNs are kept as written.
pub fn resolve(host: &str, config_ns: &str) -> String {
    if host.starts_with('*') || host.contains('.') {
        return host.to_ascii_lowercase();
    }
    format!(
        "{}.{}.svc.{}",
        host.to_ascii_lowercase(),
        config_ns,
        CLUSTER_DOMAIN
    )
}

pub fn is_wildcard(host: &str) -> bool {
    host.starts_with('*')
}

/// Bidirectional overlap (`host.Name.Matches`): `*.foo.com` matches `a.foo.com` and
/// `*.a.foo.com`; `*` matches everything; `*.foo.com` does not match `foo.com`.
pub fn matches(a: &str, b: &str) -> bool {
    match (is_wildcard(a), is_wildcard(b)) {
        (false, false) => a == b,
        (true, false) => b.ends_with(&a[1..]),
        (false, true) => a.ends_with(&b[1..]),
        (true, true) => {
            let (sa, sb) = (&a[1..], &b[1..]);
            sa.ends_with(sb) || sb.ends_with(sa)
        }
    }
}

/// One-directional containment (`host.Name.SubsetOf`): every name `a` matches is matched by `b`.
pub fn subset_of(a: &str, b: &str) -> bool {
    match (is_wildcard(a), is_wildcard(b)) {
        (false, false) => a == b,
        (true, false) => false,
        (_, true) => a.ends_with(&b[1..]),
    }
}

/// Whether `a` is more specific than `b` (`host.MoreSpecific`): an exact name beats a wildcard,
/// and a longer wildcard suffix beats a shorter one.
pub fn more_specific(a: &str, b: &str) -> bool {
    match (is_wildcard(a), is_wildcard(b)) {
        (false, true) => true,
        (true, false) => false,
        _ => a.len() > b.len(),
    }
}

/// The parent domains a concrete host can be matched by as a wildcard, most specific first:
/// `a.b.c` → `*.b.c`, `*.c`, `*`.
pub fn wildcard_parents(host: &str) -> impl Iterator<Item = String> + '_ {
    let mut rest = Some(host);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.find('.') {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(format!("*{}", &r[i..]))
            }
            None => {
                rest = None;
                Some("*".to_string())
            }
        }
    })
}

/// The namespace of a Kubernetes service FQDN (`name.ns.svc.cluster.local`).
pub fn service_namespace(fqdn: &str) -> Option<&str> {
    let rest = fqdn.strip_suffix(CLUSTER_DOMAIN)?.strip_suffix(".svc.")?;
    let (_, ns) = rest.split_once('.')?;
    (!ns.contains('.')).then_some(ns)
}

/// A short display form: `reviews.default.svc.cluster.local` → `reviews.default`.
pub fn short(fqdn: &str) -> &str {
    fqdn.strip_suffix(".svc.cluster.local").unwrap_or(fqdn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_resolve_against_the_config_namespace_only_when_dotless() {
        assert_eq!(resolve("reviews", "shop"), "reviews.shop.svc.cluster.local");
        assert_eq!(resolve("reviews.bookinfo", "shop"), "reviews.bookinfo");
        assert_eq!(resolve("*.example.com", "shop"), "*.example.com");
        assert_eq!(resolve("*", "shop"), "*");
    }

    #[test]
    fn wildcard_matching() {
        assert!(matches("*.foo.com", "a.foo.com"));
        assert!(!matches("*.foo.com", "foo.com"));
        assert!(matches("*", "foo.com"));
        assert!(matches("*.foo.com", "*.a.foo.com"));
        assert!(subset_of("a.foo.com", "*.foo.com"));
        assert!(subset_of("*.a.foo.com", "*.foo.com"));
        assert!(!subset_of("*.foo.com", "*.a.foo.com"));
        assert!(!subset_of("*.foo.com", "a.foo.com"));
        assert!(more_specific("a.foo.com", "*.foo.com"));
        assert!(more_specific("*.a.foo.com", "*.foo.com"));
        assert_eq!(
            wildcard_parents("a.b.c").collect::<Vec<_>>(),
            ["*.b.c", "*.c", "*"]
        );
        assert_eq!(
            service_namespace("reviews.shop.svc.cluster.local"),
            Some("shop")
        );
    }
}
