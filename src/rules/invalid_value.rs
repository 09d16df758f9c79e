use crate::diag::Diagnostic;
use crate::mesh::matching::regex_error;
use crate::model::networking::StringMatch;
use crate::rules::Context;

/// Reported by the loader and the model phase, and by the pass below for the regexes of
/// VirtualService matches (which the CRD schema does not check but Istio's webhook does).
pub use crate::catalog::invalid_value::RULE;

pub const CHECK: Option<crate::rules::CheckFn> = Some(check);

/// `validateHTTPRoute` → `validateStringMatchRegexp` for `uri`, `scheme`, `method`,
/// `authority`, `headers`, `withoutHeaders` and `queryParams`: an empty regex or one RE2 cannot
/// compile makes the webhook reject the VirtualService.
fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for vs in &cx.model.virtual_services {
        for (i, route) in vs.spec.http.iter().enumerate() {
            for (j, m) in route.matches.iter().enumerate() {
                let singles = [
                    ("uri", m.uri.as_deref()),
                    ("scheme", m.scheme.as_deref()),
                    ("method", m.method.as_deref()),
                    ("authority", m.authority.as_deref()),
                ];
                let keyed = [
                    ("headers", &m.headers),
                    ("withoutHeaders", &m.without_headers),
                    ("queryParams", &m.query_params),
                ];
                let fields = singles
                    .into_iter()
                    .filter_map(|(f, s)| Some((f.to_string(), s?)))
                    .chain(keyed.into_iter().flat_map(|(f, map)| {
                        map.iter().map(move |(k, s)| (format!("{f}.{k}"), s))
                    }));
                for (field, sm) in fields {
                    let Some(re) = regex_of(sm) else { continue };
                    let Some(why) = regex_error(&re.value) else {
                        continue;
                    };
                    out.push(
                        Diagnostic::new(
                            &RULE,
                            re.loc,
                            format!(
                                "http[{i}].match[{j}].{field}.regex {:?} is not a valid RE2 regular expression ({why}): Istio's webhook rejects this VirtualService",
                                re.value
                            ),
                        )
                        .help("fix the regex (RE2 syntax: escape a literal `*`, `(` or `.` with a backslash), or use `exact` or `prefix`")
                        .resource(Some(vs.resource_ref())),
                    );
                }
            }
        }
    }
}

fn regex_of(m: &StringMatch) -> Option<&crate::model::Spanned<String>> {
    m.regex.as_ref()
}
