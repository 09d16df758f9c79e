//! The committed `src/model/schema/istio.json` must be what the compiler makes of the Istio CRDs
//! in `../shared/reference/istio-crds.gen.yaml`. `UPDATE_SCHEMA=1 cargo test --test schema_sync`
//! rewrites it.

use std::path::Path;

use meshlint::model::schema::{self, Schema, Table, compile};

const CRDS: &str = "../shared/reference/istio-crds.gen.yaml";
const COMMITTED: &str = "src/model/schema/istio.json";

#[test]
fn committed_schema_matches_the_crds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let crds = root.join(CRDS);
    if !crds.exists() {
        eprintln!("notice: {CRDS} is absent; the schema sync check is skipped");
        return;
    }
    let compiled = compile::compile_file(&crds.to_string_lossy()).expect("the CRD file loads");
    let path = root.join(COMMITTED);
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &compiled).expect("write istio.json");
        eprintln!("wrote {} ({} bytes)", path.display(), compiled.len());
        return;
    }
    let committed = std::fs::read_to_string(&path).expect("istio.json exists");
    assert!(
        committed == compiled,
        "{COMMITTED} is out of date with {CRDS}; run `UPDATE_SCHEMA=1 cargo test --test schema_sync`"
    );
}

#[test]
fn embedded_schema_parses_and_covers_every_modelled_kind() {
    let started = std::time::Instant::now();
    let table: Table = serde_json::from_str(schema::ISTIO_JSON).expect("istio.json parses");
    let parsed = started.elapsed();
    let shapes = table.shapes.len();
    let started = std::time::Instant::now();
    let schema = Schema::from_table(table);
    eprintln!(
        "istio.json: {} bytes, {shapes} shapes, parsed in {parsed:?}; with the hand-written kinds in {:?}",
        schema::ISTIO_JSON.len(),
        started.elapsed()
    );
    for info in meshlint::model::kinds::KINDS
        .iter()
        .filter(|k| k.legacy.is_none() && !k.kind.starts_with('('))
    {
        for version in info.versions {
            assert!(
                schema.root(info.group, info.kind, version).is_some(),
                "no schema for {}/{version} {}",
                info.group,
                info.kind
            );
        }
    }
}
