//! The identities of the rules reported below the rules layer: by the loader (`load`) and the
//! model phase (`model`, its schema walk and MeshConfig reader). Those layers may not import
//! `crate::rules`, so the identity (`diag::Rule`) of each of these rules is declared here and
//! re-exported by its module in `src/rules/`, which stays the one place that lists every rule
//! (`rules::ALL`) and holds the passes. A rule whose findings come only from a pass declares its
//! identity in its own module instead.

use crate::diag::{Rule, Severity};

pub mod yaml_syntax {
    use super::*;

    /// Reported by the loader and the model phase, not by a pass over the mesh.
    pub const RULE: Rule = Rule {
        name: "yaml-syntax",
        code: None,
        codes: &[],
        severity: Severity::Error,
        summary: "the file is not valid YAML (or not readable as text); the document is skipped and the others are analyzed",
        doc: include_str!("../rules/yaml-syntax.md"),
    };
}

pub mod duplicate_key {
    use super::*;

    /// Reported by the loader and the model phase, not by a pass over the mesh.
    pub const RULE: Rule = Rule {
        name: "duplicate-key",
        code: None,
        codes: &[],
        severity: Severity::Error,
        summary: "a mapping has the same key twice; Kubernetes rejects such a manifest",
        doc: include_str!("../rules/duplicate-key.md"),
    };
}

pub mod input_too_large {
    use super::*;

    /// Reported by the loader and the model phase, not by a pass over the mesh.
    pub const RULE: Rule = Rule {
        name: "input-too-large",
        code: None,
        codes: &[],
        severity: Severity::Error,
        summary: "an input exceeds a safety budget (file size, document count, nesting, alias expansion)",
        doc: include_str!("../rules/input-too-large.md"),
    };
}

pub mod unrendered_template {
    use super::*;

    /// Reported by the loader, once per file.
    pub const RULE: Rule = Rule {
        name: "unrendered-template",
        code: None,
        codes: &[],
        severity: Severity::Info,
        summary: "the file is an unrendered Helm template ({{ ... }}); render it with `helm template` first",
        doc: include_str!("../rules/unrendered-template.md"),
    };
}

pub mod unknown_field {
    use super::*;

    /// Reported by the loader and the model phase, not by a pass over the mesh.
    pub const RULE: Rule = Rule {
        name: "unknown-field",
        code: None,
        codes: &[],
        severity: Severity::Warning,
        summary: "a field that the resource's schema does not define; Kubernetes drops or rejects it",
        doc: include_str!("../rules/unknown-field.md"),
    };
}

pub mod invalid_value {
    use super::*;

    /// Reported by the loader and the model phase, and by the pass below for the regexes of
    /// VirtualService matches (which the CRD schema does not check but Istio's webhook does).
    pub const RULE: Rule = Rule {
        name: "invalid-value",
        code: Some("IST0106"),
        codes: &["IST0106"],
        severity: Severity::Error,
        summary: "a value of the wrong type, outside its range, or not one of the allowed values",
        doc: include_str!("../rules/invalid-value.md"),
    };
}

pub mod missing_field {
    use super::*;

    /// Reported by the loader and the model phase, not by a pass over the mesh.
    pub const RULE: Rule = Rule {
        name: "missing-field",
        code: Some("IST0106"),
        codes: &["IST0106"],
        severity: Severity::Error,
        summary: "a field that Istio or Kubernetes requires is absent",
        doc: include_str!("../rules/missing-field.md"),
    };
}

pub mod removed_api {
    use super::*;

    /// Reported by the loader and the model phase, not by a pass over the mesh.
    pub const RULE: Rule = Rule {
        name: "removed-api",
        code: None,
        codes: &[],
        severity: Severity::Error,
        summary: "a kind or API version that Istio no longer serves",
        doc: include_str!("../rules/removed-api.md"),
    };
}

pub mod deprecated_field {
    use super::*;

    /// Reported by the loader and the model phase, not by a pass over the mesh.
    pub const RULE: Rule = Rule {
        name: "deprecated-field",
        code: Some("IST0002"),
        codes: &["IST0002"],
        severity: Severity::Warning,
        summary: "a field or value that Istio deprecated",
        doc: include_str!("../rules/deprecated-field.md"),
    };
}

pub mod not_an_object {
    use super::*;

    /// Reported by the model phase: a document of a manifest that is a scalar or a sequence.
    pub const RULE: Rule = Rule {
        name: "not-an-object",
        code: None,
        codes: &[],
        severity: Severity::Error,
        summary: "a document of a manifest is a scalar or a list, not an object; kubectl rejects the file",
        doc: include_str!("../rules/not-an-object.md"),
    };
}

pub mod duplicate_resource {
    use super::*;

    /// Reported by the model phase, which keeps one object per identity (the later definition).
    pub const RULE: Rule = Rule {
        name: "duplicate-resource",
        code: None,
        codes: &[],
        severity: Severity::Error,
        summary: "two documents define the same object (kind, namespace, name); the one applied last replaces the other",
        doc: include_str!("../rules/duplicate-resource.md"),
    };
}
