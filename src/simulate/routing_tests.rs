//! `meshlint test`: routing unit tests.
use crate::load::LoadOptions;
use crate::mesh::Mesh;
use crate::model::Model;

pub struct Suite {}
impl Suite {
    pub fn passed(&self) -> bool {
        true
    }
    pub fn to_json(&self) -> String {
        String::new()
    }
    pub fn to_junit(&self) -> String {
        String::new()
    }
    pub fn to_human(&self, _color: bool) -> String {
        String::new()
    }
}
pub fn run(_m: &Model, _mesh: &Mesh, _t: &[String], _l: &LoadOptions) -> Result<Suite, String> {
    Ok(Suite {})
}
